package demo

import (
	"context"
	"fmt"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/staff"
)

// Department codes.
const (
	deptInformation     = "INFORMATION"
	deptCustomerService = "CUSTOMER_SERVICE"
	deptAdministration  = "ADMINISTRATION"
	deptHR              = "HR"
	deptPublicRelations = "PUBLIC_RELATIONS"
	deptEvaluation      = "EVALUATION"
	deptCommunity       = "COMMUNITY_SERVICES"
	deptEducation       = "EDUCATION_AID"
)

type deptSpec struct {
	code, name, nameEn, description string
	intake                          bool
	// short prefixes the usernames of the department's staff.
	short string
}

var departments = []deptSpec{
	{deptInformation, "信息部", "Information Department",
		"负责信息公开:每季度末发布工作报告和财务信息(覆盖至少90%的服务项目),管理官网、数据与个人信息保护。", false, "info"},
	{deptCustomerService, "客户服务部", "Customer Service Department",
		"负责信访热线、电子邮箱和在线反馈平台,接待来信来访,统一受理、登记和分办信访件。", true, "cs"},
	{deptAdministration, "行政部", "Administration Department",
		"负责信访处理流程的制定与实施(每年3月底前)、内部管理、采购和工作人员行为规范。", false, "adm"},
	{deptHR, "人力资源部", "Human Resources Department",
		"负责员工与志愿者的招聘、考核,以及每年6月和12月的信访处理专业培训。", false, "hr"},
	{deptPublicRelations, "公共关系部", "Public Relations Department",
		"负责对外宣传、捐赠人关系和志愿者招募,每年3月组织公众咨询会,联络监督委员会。", false, "pr"},
	{deptEvaluation, "评估部", "Evaluation Department",
		"负责每半年(6月、12月)的信访处理效果评估,形成评估报告和改进措施。", false, "eval"},
	{deptCommunity, "社区服务部", "Community Services Department",
		"运营社区养老服务中心、长者食堂和爱心食物银行等社区服务项目。", false, "community"},
	{deptEducation, "助学项目部", "Education Aid Department",
		"运营春蕾助学金和乡村图书室等助学项目。", false, "edu"},
}

// handlingDepartments receive cases: each has a head and two handlers.
var handlingDepartments = []string{
	deptCustomerService, deptAdministration, deptCommunity, deptEducation, deptInformation, deptPublicRelations,
}

// 2026 public holidays and make-up working days (调休) in mainland China.
var (
	holidays2026 = []string{
		"2026-01-01", "2026-01-02", "2026-01-03",
		"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		"2026-04-04", "2026-04-05", "2026-04-06",
		"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
		"2026-06-19", "2026-06-20", "2026-06-21",
		"2026-09-25", "2026-09-26", "2026-09-27",
		"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
	}
	makeupWorkdays2026 = []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
)

type categorySpec struct{ code, name, nameEn, dept string }

var categories = []categorySpec{
	{"SERVICE_QUALITY", "服务质量", "Service quality", deptCustomerService},
	{"FINANCE", "财务公开", "Finances and transparency", deptInformation},
	{"STAFF_CONDUCT", "工作人员态度", "Staff conduct", deptAdministration},
	{"PROJECT_PROGRESS", "项目进度", "Project progress", deptAdministration},
	{"DONATIONS", "捐赠管理", "Donations", deptPublicRelations},
	{"PRIVACY", "隐私保护", "Privacy", deptInformation},
	{"ACCESSIBILITY", "无障碍", "Accessibility", deptCommunity},
	{"VOLUNTEER", "志愿者", "Volunteers", deptPublicRelations},
	{"SUGGESTION", "意见建议", "Suggestions", ""},
	{"OTHER", "其他", "Other", ""},
}

type projectSpec struct{ code, name, nameEn, description, dept string }

var projects = []projectSpec{
	{"ELDER_CARE", "社区养老服务中心", "Community Elderly Care Centres",
		"在六个社区提供日间照料、康复理疗和长者食堂助餐服务。", deptCommunity},
	{"FOOD_BANK", "爱心食物银行", "Community Food Bank",
		"每周向登记的困难家庭发放米面油等基本生活物资。", deptCommunity},
	{"SCHOLARSHIP", "春蕾助学金", "Spring Bud Scholarship",
		"资助困难家庭的小学和初中学生完成学业,每学期发放。", deptEducation},
	{"RURAL_LIBRARY", "乡村图书室", "Rural Reading Rooms",
		"在乡村学校和村委会建设图书室,组织志愿者周末课业辅导。", deptEducation},
	{"VOLUNTEER", "志愿者服务计划", "Volunteer Programme",
		"招募、培训和管理志愿者,记录并证明志愿服务时长。", deptPublicRelations},
	{"HOTLINE", "公益服务热线", "Public Service Hotline",
		"工作日9:00-18:00接听咨询、求助和投诉电话。", deptCustomerService},
}

type staffSpec struct {
	username, name string
	role           staff.Role
	dept           string
	locale         string
}

// staffSpecs lists the demo accounts.
func staffSpecs() []staffSpec {
	names := []string{
		"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵丽", "黄勇", "周敏", "吴刚",
		"徐婷", "孙强", "胡军", "朱琳", "高翔", "林涛", "何雪", "郭华", "马超", "罗丹",
		"梁欣", "宋佳", "郑凯", "谢颖", "韩冰", "唐亮", "冯蕾", "董鹏", "萧然", "程雅",
	}
	next := 0
	name := func() string { n := names[next%len(names)]; next++; return n }
	out := []staffSpec{{"admin", "系统管理员", staff.RoleADMIN, "", "zh-CN"}}
	short := map[string]string{}
	for _, d := range departments {
		short[d.code] = d.short
	}
	for _, code := range handlingDepartments {
		s := short[code]
		out = append(out,
			staffSpec{s + ".head", name(), staff.RoleDEPT_HEAD, code, "zh-CN"},
			staffSpec{s + ".handler1", name(), staff.RoleHANDLER, code, "zh-CN"},
			staffSpec{s + ".handler2", name(), staff.RoleHANDLER, code, "zh-CN"},
		)
	}
	out = append(out,
		staffSpec{"cs.intake1", name(), staff.RoleINTAKE_AGENT, deptCustomerService, "zh-CN"},
		staffSpec{"cs.intake2", name(), staff.RoleINTAKE_AGENT, deptCustomerService, "zh-CN"},
		staffSpec{"hr.head", name(), staff.RoleDEPT_HEAD, deptHR, "zh-CN"},
		staffSpec{"hr.officer", name(), staff.RoleHR_OFFICER, deptHR, "zh-CN"},
		staffSpec{"eval.head", name(), staff.RoleDEPT_HEAD, deptEvaluation, "zh-CN"},
		staffSpec{"eval.evaluator", name(), staff.RoleEVALUATOR, deptEvaluation, "zh-CN"},
		staffSpec{"info.officer", name(), staff.RoleINFO_OFFICER, deptInformation, "zh-CN"},
		staffSpec{"pr.officer", name(), staff.RolePR_OFFICER, deptPublicRelations, "en"},
		staffSpec{"oversight1", name() + "(监督委员)", staff.RoleOVERSIGHT_MEMBER, "", "zh-CN"},
		staffSpec{"oversight2", name() + "(监督委员)", staff.RoleOVERSIGHT_MEMBER, "", "zh-CN"},
	)
	return out
}

// org is the created organisation, by code.
type org struct {
	deptID      map[string]int
	deptName    map[string]bi
	deptCode    map[int]string
	categoryID  map[string]int
	projectID   map[string]int
	staff       []*ent.Staff
	heads       map[int]*ent.Staff   // by department ID
	handlers    map[int][]*ent.Staff // by department ID
	intake      []*ent.Staff
	staffByID   map[int]*ent.Staff
	accounts    []Account
	catDept     map[string]string // category code → department code
	projectDept map[string]string // project code → department code
}

// createOrg writes departments, staff, categories and service projects in
// one transaction.
func createOrg(ctx context.Context, client *ent.Client, passwordHash, timeZone string) (*org, error) {
	o := &org{
		deptID: map[string]int{}, deptName: map[string]bi{}, deptCode: map[int]string{},
		categoryID: map[string]int{}, projectID: map[string]int{},
		heads: map[int]*ent.Staff{}, handlers: map[int][]*ent.Staff{}, staffByID: map[int]*ent.Staff{},
		catDept: map[string]string{}, projectDept: map[string]string{},
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	fail := func(err error) (*org, error) {
		_ = tx.Rollback()
		return nil, err
	}
	for _, d := range departments {
		dep, err := tx.Department.Create().
			SetCode(d.code).SetName(d.name).SetNameEn(d.nameEn).SetDescription(d.description).
			SetIntake(d.intake).
			Save(ctx)
		if err != nil {
			return fail(fmt.Errorf("create department %s: %w", d.code, err))
		}
		o.deptID[d.code], o.deptCode[dep.ID] = dep.ID, d.code
		o.deptName[d.code] = bi{d.name, d.nameEn}
	}
	for _, s := range staffSpecs() {
		create := tx.Staff.Create().
			SetUsername(s.username).SetDisplayName(s.name).SetEmail(s.username + "@xinfang.example.org").
			SetPasswordHash(passwordHash).SetRole(s.role).SetLocale(s.locale)
		if s.dept != "" {
			create.SetDepartmentID(o.deptID[s.dept])
		}
		m, err := create.Save(ctx)
		if err != nil {
			return fail(fmt.Errorf("create staff %s: %w", s.username, err))
		}
		o.staff = append(o.staff, m)
		o.staffByID[m.ID] = m
		o.accounts = append(o.accounts, Account{Username: s.username, Role: string(s.role), Department: s.dept})
		switch s.role {
		case staff.RoleDEPT_HEAD:
			o.heads[o.deptID[s.dept]] = m
		case staff.RoleHANDLER:
			o.handlers[o.deptID[s.dept]] = append(o.handlers[o.deptID[s.dept]], m)
		case staff.RoleINTAKE_AGENT:
			o.intake = append(o.intake, m)
		}
	}
	for _, c := range categories {
		create := tx.Category.Create().SetCode(c.code).SetName(c.name).SetNameEn(c.nameEn)
		if c.dept != "" {
			create.SetDefaultDepartmentID(o.deptID[c.dept])
		}
		cat, err := create.Save(ctx)
		if err != nil {
			return fail(fmt.Errorf("create category %s: %w", c.code, err))
		}
		o.categoryID[c.code] = cat.ID
		o.catDept[c.code] = c.dept
	}
	for _, p := range projects {
		sp, err := tx.ServiceProject.Create().
			SetCode(p.code).SetName(p.name).SetNameEn(p.nameEn).SetDescription(p.description).
			SetDepartmentID(o.deptID[p.dept]).
			Save(ctx)
		if err != nil {
			return fail(fmt.Errorf("create service project %s: %w", p.code, err))
		}
		o.projectID[p.code] = sp.ID
		o.projectDept[p.code] = p.dept
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit organisation: %w", err)
	}
	return o, nil
}
