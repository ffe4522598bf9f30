package apperr

// message is one entry of the catalog, in both languages. {name}
// placeholders are filled from Error.Params. Messages say what to do next.
type message struct{ en, zh string }

var catalog = map[string]message{
	// Input.
	"input.required":  {"{field} is required.", "请填写{field}。"},
	"input.invalid":   {"{field} has an invalid value.", "{field}的取值无效。"},
	"input.too_long":  {"{field} is too long: at most {max} characters.", "{field}过长：最多{max}个字符。"},
	"input.page_size": {"{field} must be between 0 and {max}.", "{field}必须在0到{max}之间。"},
	"input.bad_id":    {"{field} is not a valid ID.", "{field}不是有效的ID。"},

	// Evaluations.
	"analytics.period":    {"The end of the period must be after its start.", "统计期的结束时间必须晚于开始时间。"},
	"analytics.time_zone": {"Give the time zone by its name, such as Asia/Shanghai.", "请用名称指定时区，例如 Asia/Shanghai。"},

	// Sign-in and permissions.
	"authz.sign_in":            {"Sign in to do this.", "请先登录。"},
	"authz.forbidden":          {"Your role may not do this ({action}). Ask a department head or an administrator.", "您的角色无权执行此操作（{action}）。请联系部门负责人或管理员。"},
	"authz.not_assignee":       {"Only the handler assigned to the case may do this. Ask the department head to assign it to you.", "只有案件承办人可以执行此操作，请联系部门负责人分派。"},
	"authz.other_department":   {"This case is handled by another department; only its staff may do this. Ask that department's head.", "该案件由其他部门办理，只有该部门人员可以执行此操作。请联系该部门负责人。"},
	"authz.reporter_protected": {"This report concerns your department, so who made it is not shown to you.", "该举报涉及您所在的部门，举报人信息不向您显示。"},
	"authz.not_own_case":       {"Your tracking code and PIN open a different case.", "您的查询码和PIN码对应的是另一件案件。"},
	"auth.bad_credentials":     {"Wrong username or password.", "用户名或密码错误。"},
	"auth.token_invalid":       {"Your session is not valid. Sign in again.", "登录状态无效，请重新登录。"},
	"auth.password_short":      {"The password must be at least {min} characters long.", "密码至少需要{min}个字符。"},
	"auth.password_long":       {"The password may be at most 72 bytes long.", "密码最长72个字节。"},
	"auth.department_required": {"This role needs a department.", "该角色必须属于一个部门。"},
	"auth.username_taken":      {"The username {username} is already taken.", "用户名{username}已被使用。"},
	"department.unknown_code":  {"No department has the code {code}.", "没有代码为{code}的部门。"},
	"auth.rate_limited":        {"Too many failed sign-ins. Try again in {seconds} seconds.", "登录失败次数过多，请在{seconds}秒后重试。"},

	// Petitioner access.
	"petitioner.bad_code_or_pin": {"The tracking code or PIN is wrong. Check both and try again.", "查询码或PIN码错误，请核对后重试。"},
	"petitioner.rate_limited":    {"Too many wrong attempts. Try again in {seconds} seconds.", "错误尝试次数过多，请在{seconds}秒后重试。"},

	// Cases.
	"case.not_found":          {"The case does not exist or you may not see it.", "案件不存在，或您无权查看。"},
	"case.stale":              {"The case was changed by someone else. Reload it and try again.", "案件已被他人修改，请刷新后重试。"},
	"case.invalid_transition": {"This action is not possible while the case is {status}.", "案件当前状态为{status}，不能执行此操作。"},
	"node.not_found":          {"Nothing exists with this ID, or you may not see it.", "该ID对应的对象不存在，或您无权查看。"},
	"department.unknown":      {"{field}: no active department has this ID.", "{field}：没有此ID的在用部门。"},

	// Intake.
	"intake.route_to_concerned":        {"A REPORT case cannot be handled by the department it reports on.", "举报件不能交由被举报部门办理。"},
	"intake.concerned_department_kind": {"Only a REPORT case names the department it reports on.", "只有举报类信访件才能指定被举报部门。"},
	"intake.web_channel":               {"WEB is for the public form; record hotline, email, letter, visit or consultation cases.", "WEB渠道仅用于网上提交；请选择热线、邮件、来信、来访或咨询会渠道。"},
	"intake.idempotency_key":           {"idempotencyKey must be {min} to {max} characters long.", "idempotencyKey长度必须为{min}到{max}个字符。"},
	"intake.idempotency_reused":        {"This idempotencyKey was already used for a different submission. Use a new key.", "该idempotencyKey已用于另一份提交，请使用新的key。"},
	"intake.unknown_category":          {"The category does not exist or is no longer in use.", "该分类不存在或已停用。"},
	"intake.unknown_service_project":   {"The service project does not exist or is no longer in use.", "该服务项目不存在或已停用。"},
	"intake.no_intake_department":      {"No intake department is configured. An administrator must mark one department as intake.", "尚未设置受理部门，请管理员将一个部门设为受理部门。"},
	"intake.locale":                    {"locale must be zh-CN or en.", "locale必须是zh-CN或en。"},
	"intake.received_in_future":        {"receivedAt may not be in the future.", "receivedAt不能晚于当前时间。"},
	"intake.received_too_old":          {"receivedAt may be at most one year ago.", "receivedAt最早只能是一年前。"},
	"intake.routing_reason":            {"Give a routingReason when choosing the department yourself.", "手动指定部门时请填写routingReason。"},
	"intake.email":                     {"The email address is not valid.", "电子邮箱地址无效。"},
	"intake.phone":                     {"The phone number may contain only digits, spaces, +, - and brackets.", "电话号码只能包含数字、空格、+、-和括号。"},

	// Handling.
	"assign.unknown_staff":     {"No staff member has this ID.", "没有此ID的工作人员。"},
	"assign.not_handler":       {"Cases can only be assigned to active handlers or department heads.", "案件只能分派给在职的承办人或部门负责人。"},
	"assign.other_department":  {"The staff member is not in the case's department. Transfer the case first.", "该工作人员不属于案件所在部门，请先转办。"},
	"transfer.same_department": {"The case is already in this department.", "案件已在该部门。"},
	"extension.pending":        {"An extension request is already waiting for a decision.", "已有延期申请等待审批。"},
	"extension.none_pending":   {"There is no extension request to decide.", "没有待审批的延期申请。"},
	"extension.exhausted":      {"This case has had the maximum of {max} extensions.", "该案件已达到最多{max}次延期。"},
	"extension.hours":          {"An extension must be between 1 and {max} hours.", "延期时长必须在1到{max}小时之间。"},
	"rate.range":               {"The rating must be from 1 to 5.", "评分必须在1到5之间。"},
	"rate.already_rated":       {"This handling has already been rated.", "本次办理已评价过。"},
	"review.exhausted":         {"No further review is possible: the case has been reviewed and re-reviewed.", "该案件已经复查和复核，不能再申请复查。"},
	"review.window_passed":     {"The time to ask for a review has passed.", "申请复查的期限已过。"},
	"merge.self":               {"A case cannot be merged into itself.", "案件不能合并到自身。"},
	"merge.unknown_target":     {"The case to merge into does not exist.", "要合并到的案件不存在。"},
	"merge.target_status":      {"Cannot merge into a case that is {status}.", "不能合并到状态为{status}的案件。"},

	// Directory administration.
	"directory.conflict": {"Another record already uses this code or name. Choose another.", "已有记录使用该代码或名称，请换一个。"},

	// Evaluations and improvement actions.
	"evaluation.warehouse_missing":  {"Analytics warehouse not configured: evaluation figures are not available on this server. Ask the operator to configure one.", "未配置分析数据仓库：本服务器无法提供评估数据，请联系运维人员配置。"},
	"evaluation.period":             {"{value} is not a period: use 2026H1, 2026H2, 2026Q3, 2026 or 2026-01-01..2026-03-31.", "{value}不是有效的期间：请使用2026H1、2026H2、2026Q3、2026或2026-01-01..2026-03-31。"},
	"evaluation.period_order":       {"The period {value} ends before it starts.", "期间{value}的结束日期早于开始日期。"},
	"evaluation.period_length":      {"A custom period may be at most {max} days long.", "自定义期间最长{max}天。"},
	"evaluation.top":                {"top must be between 0 and {max}.", "top必须在0到{max}之间。"},
	"evaluation.unknown_department": {"{field}: no department has this ID.", "{field}：没有此ID的部门。"},
	"evaluation.report_format":      {"{value} is not a report format: use md, csv or xlsx.", "{value}不是有效的报告格式：请使用md、csv或xlsx。"},
	"improvement.due_date":          {"{value} is not a date: give the due date as YYYY-MM-DD.", "{value}不是有效日期：截止日期请使用YYYY-MM-DD格式。"},
	"improvement.due_before_period": {"The due date {value} is before the period {period} starts.", "截止日期{value}早于期间{period}的开始。"},
	"improvement.due_passed":        {"The due date {value} has passed: give today or a later day.", "截止日期{value}已过，请填写今天或之后的日期。"},
	"improvement.period_label":      {"{value} is not an evaluation period: use 2026H1, 2026H2, 2026Q1 to 2026Q4 or 2026.", "{value}不是有效的评估期间：请使用2026H1、2026H2、2026Q1至2026Q4或2026。"},
	"improvement.kpi_key":           {"{value} is not a scorecard KPI key; the scorecard query lists the keys.", "{value}不是考核指标代码；指标代码见scorecard查询。"},
	"improvement.not_staff":         {"Only a signed-in staff member may record improvement actions.", "只有已登录的工作人员可以登记改进措施。"},

	// Server limits.
	"internal.error":      {"Something went wrong on our side. Try again later; if it persists, give the request ID to support.", "服务器内部错误，请稍后重试；如持续出现，请将请求编号提供给技术支持。"},
	"limit.complexity":    {"The query is too complex ({complexity} > {limit}). Ask for fewer fields or smaller pages.", "查询过于复杂（{complexity} > {limit}），请减少字段或分页大小。"},
	"limit.depth":         {"The query is nested too deeply (more than {limit} levels).", "查询嵌套层级过深（超过{limit}层）。"},
	"limit.body":          {"The request body is too large.", "请求体过大。"},
	"limit.introspection": {"Introspection is disabled on this server.", "此服务器已关闭内省查询。"},
}

// Known reports whether key is in the catalog; tests use it to check that
// every key the code uses has a message.
func Known(key string) bool {
	_, ok := catalog[key]
	return ok
}
