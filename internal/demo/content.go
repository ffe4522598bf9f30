package demo

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"unicode"
	"unicode/utf8"

	"github.com/xinfang/xinfang/ent/casefile"
)

// bi is a text in Simplified Chinese and in English.
type bi struct{ zh, en string }

func (b bi) in(zh bool) string {
	if zh {
		return b.zh
	}
	return b.en
}

// reply is a written answer that goes with one outcome.
type reply struct {
	outcome casefile.Outcome
	text    bi
}

// scenario is one kind of case the demo organisation receives. Texts may
// contain {slot} placeholders, filled once per case (see slots) so that the
// subject, body, question, answer and reply of a case agree.
type scenario struct {
	key        string
	kind       casefile.Kind
	category   string // category code, "" for none
	project    string // service project code, "" for none
	transferTo string // department code intake passes the case on to
	priority   casefile.Priority
	// consultation scenarios are opinions collected at the public
	// consultation meeting (channel CONSULTATION).
	consultation bool
	// outOfScope scenarios are not the organisation's business: they are
	// declined, with decline as the reason.
	outOfScope bool
	subject    bi
	body       bi
	replies    []reply
	question   bi
	answer     bi
	decline    bi
}

var scenarios = []scenario{
	{
		key: "centre_waiting", kind: casefile.KindCOMPLAINT, category: "SERVICE_QUALITY", project: "ELDER_CARE",
		subject: bi{"{centre}排队等候时间过长", "Long waiting times at {centre}"},
		body: bi{
			"我母亲今年八十一岁,每{weekday}上午到{centre}做康复理疗。最近一个月每次都要排队{minutes}分钟以上,现场只有一名工作人员,没有叫号系统,座椅也不够,老人只能站着等。希望中心能在高峰时段增加人手,或者实行预约制,不要让老人久等。",
			"My father is 82 and goes to {centre} every {weekday} morning for physiotherapy. For the past month he has had to wait more than {minutes} minutes each time. There is only one member of staff at the desk, no ticket system and not enough chairs, so elderly people are left standing. Could the centre add staff at peak times or introduce appointments?",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经核查,{centre}近期因一名康复师休假,{weekday}上午人手确实不足。中心已从本周起在高峰时段增派一名工作人员,增设候诊座椅,并开通电话预约,预约的老人可按时段到场,无需排队。",
				"We checked with {centre}: one therapist has been on leave and the {weekday} morning sessions were understaffed. From this week an additional member of staff covers the peak hours, more chairs have been put in the waiting area, and appointments can now be booked by phone so that your father can come at a fixed time.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"经了解,{weekday}上午是{centre}每周就诊人数最多的时段。中心已增加候诊座椅并安排志愿者协助引导;下午时段一般无需排队,建议老人错峰前往。我们将持续关注高峰期的服务情况。",
				"{weekday} morning is the busiest time of the week at {centre}. The centre has added chairs and a volunteer now helps at the desk. There is usually no queue in the afternoon, so we suggest your father comes then if he can. We will keep an eye on the peak hours.",
			}},
		},
		question: bi{"请问老人一般几点到达中心?方便提供最近一次排队时间较长的具体日期吗?", "Could you tell us roughly what time your father arrives, and the date of the most recent long wait?"},
		answer:   bi{"一般是早上八点半到,最近一次是上周{weekday},等了一个多小时。", "He usually arrives around 8:30. The last time was last {weekday}, when he waited well over an hour."},
	},
	{
		key: "canteen_food", kind: casefile.KindCOMPLAINT, category: "SERVICE_QUALITY", project: "ELDER_CARE",
		subject: bi{"{canteen}饭菜偏咸、分量不足", "Meals at {canteen} too salty and portions too small"},
		body: bi{
			"我每天中午在{canteen}吃饭,最近两周饭菜明显偏咸,主食分量也比以前少了,价格却没有变。我们老年人很多有高血压,吃太咸对身体不好。希望能督促供餐单位改进。",
			"I have lunch at {canteen} every day. For the last two weeks the food has been noticeably saltier and the portions of rice are smaller than before, at the same price. Many of us have high blood pressure, so this really matters. Please ask the caterer to improve.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"社区服务部已约谈{canteen}的供餐企业,要求按老年人膳食标准减少用盐,每份主食恢复至150克,并每周在食堂公示菜谱。我们将每月组织就餐老人评议,评议结果与供餐合同挂钩。",
				"We met the caterer of {canteen} and required them to follow the dietary guidelines for older people: less salt, and portions of rice back to 150 g. The weekly menu will be posted in the canteen, and diners will be asked for feedback every month as part of the catering contract review.",
			}},
		},
		question: bi{"请问您一般是哪几天在食堂就餐?是否方便告知具体是哪几道菜偏咸?", "Which days do you usually eat at the canteen, and which dishes were too salty?"},
		answer:   bi{"我周一到周五都去,红烧肉和炒青菜都特别咸,米饭也少了差不多一半。", "I go Monday to Friday. The braised pork and the stir-fried greens were very salty, and the rice portion is about half what it used to be."},
	},
	{
		key: "scholarship_online", kind: casefile.KindSUGGESTION, category: "SUGGESTION", project: "SCHOLARSHIP",
		subject: bi{"建议春蕾助学金开通线上申请", "Suggestion: online applications for the Spring Bud Scholarship"},
		body: bi{
			"我是{school}的班主任,每年帮学生申请春蕾助学金。目前只能邮寄纸质材料,家长要跑很远的路去复印、盖章,材料寄丢了还得重新准备。建议开通线上申请,允许上传材料照片,并在网站上公布评审进度。",
			"I am a class teacher at {school} and help pupils apply for the Spring Bud Scholarship every year. At present the forms can only be posted on paper, so parents travel a long way to make copies and get stamps, and if the post goes missing they have to start again. Please consider online applications with photo uploads, and publishing the review progress on the website.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"感谢您的宝贵建议!助学项目部已将线上申请纳入今年的改进计划,预计下一学年开放,届时可上传材料照片并在线查询评审进度。开放前我们会书面通知各合作学校。",
				"Thank you for this valuable suggestion. Online applications are now part of this year's improvement plan and should open for the next school year, with photo uploads and an online progress tracker. We will write to all partner schools before it opens.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的建议。由于助学金需要核实家庭经济状况,现阶段仍需学校盖章的纸质证明。我们已精简材料清单,并允许由学校统一报送,家长无需自行邮寄。",
				"Thank you for the suggestion. Because the scholarship depends on checking each family's income, we still need a paper certificate stamped by the school for now. We have shortened the list of documents, and schools may now send all applications together so that parents no longer need to post anything themselves.",
			}},
		},
		question: bi{"请问贵校每年大约有多少名学生申请?家长主要在哪个环节遇到困难?", "Roughly how many pupils at your school apply each year, and at which step do parents struggle most?"},
		answer:   bi{"每年大概十五六个学生申请,最难的是开家庭经济困难证明,要跑镇上好几趟。", "About fifteen pupils apply each year. The hardest part is the certificate of family hardship, which takes several trips to the township office."},
	},
	{
		key: "scholarship_delay", kind: casefile.KindCOMPLAINT, category: "PROJECT_PROGRESS", project: "SCHOLARSHIP", priority: casefile.PriorityHIGH,
		subject: bi{"本学期春蕾助学金迟迟未发放", "Scholarship payment for this term has not arrived"},
		body: bi{
			"我的孩子{child}在{school}读{grade},去年通过了春蕾助学金审核。往年开学一个月内就能到账,今年开学已经两个多月了还没收到,打电话问学校,学校说要问你们。家里困难,等着这笔钱交住宿费,请帮忙查一下。",
			"My child {child} is in {grade} at {school} and was approved for the Spring Bud Scholarship last year. In previous years the money arrived within a month of the start of term, but this term it is more than two months and nothing has come. The school told us to ask you. We are relying on it to pay for boarding, so please look into it.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经查,因合作银行批量代发系统升级,部分学生的助学金未能按时发放,{child}同学的助学金已于本周补发到登记的银行卡,请注意查收。给您家庭带来的困扰,我们深表歉意,今后将在发放前通过短信告知到账时间。",
				"We found that a system upgrade at our partner bank delayed part of this term's payments. {child}'s scholarship was paid into the registered bank account this week. We apologise for the difficulty this caused your family; from now on we will send a text message before each payment.",
			}},
		},
		question: bi{"请提供申请时登记的银行卡后四位,以便我们核对发放记录。", "Please tell us the last four digits of the bank card registered with the application so that we can check the payment records."},
		answer:   bi{"银行卡后四位是{digits},卡是孩子妈妈的名字。", "The last four digits are {digits}; the card is in the mother's name."},
	},
	{
		key: "scholarship_criteria", kind: casefile.KindINQUIRY, project: "SCHOLARSHIP",
		subject: bi{"咨询春蕾助学金申请条件", "Who can apply for the Spring Bud Scholarship?"},
		body: bi{
			"我的孩子在{school}读{grade},孩子父亲去年因病去世,家里主要靠我打零工维持。请问能不能申请春蕾助学金?需要准备哪些材料,什么时候截止?",
			"My child is in {grade} at {school}. Her father died last year and I support the family with casual work. Can she apply for the Spring Bud Scholarship? What documents are needed and what is the deadline?",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"根据您介绍的情况,孩子符合申请条件。需要准备:申请表、学校出具的在读证明、村(居)委会出具的家庭经济困难证明。每年9月1日至10月15日受理,可交由班主任统一报送。如有疑问可拨打公益服务热线咨询。",
				"From what you describe, your daughter is eligible. You will need the application form, a certificate of enrolment from the school and a certificate of financial hardship from your village or residents' committee. Applications are accepted from 1 September to 15 October each year and can be handed in through the class teacher. Our hotline can help with any questions.",
			}},
		},
		question: bi{"请问孩子目前是否已享受其他助学补助?", "Does your child currently receive any other education grant?"},
		answer:   bi{"只有学校的营养午餐补助,没有其他的。", "Only the school's free lunch programme, nothing else."},
	},
	{
		key: "scholarship_praise", kind: casefile.KindPRAISE, project: "SCHOLARSHIP",
		subject: bi{"感谢春蕾助学金帮助孩子继续上学", "Thank you for helping my child stay in school"},
		body: bi{
			"我是{school}一名学生的家长。孩子父亲常年生病,要不是春蕾助学金,孩子读到{grade}就要辍学了。这学期孩子考了全班第三名,还当上了学习委员。谢谢你们,也谢谢所有捐款的好心人!",
			"I am the parent of a pupil at {school}. My husband has been ill for years, and without the Spring Bud Scholarship our child would have left school in {grade}. This term she came third in her class. Thank you, and thank you to every donor!",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"收到您的来信,我们非常感动!孩子取得的进步是对项目最好的肯定。我们已征得您的同意后将来信转达给捐赠人,祝孩子学业进步、健康成长!",
				"Your letter moved all of us. Your daughter's progress is the best possible reward for the programme. With your permission we have passed your thanks on to our donors. We wish her every success!",
			}},
		},
	},
	{
		key: "library_delay", kind: casefile.KindCOMPLAINT, category: "PROJECT_PROGRESS", project: "RURAL_LIBRARY",
		subject: bi{"{library}建设进度严重滞后", "{library} still not open"},
		body: bi{
			"去年说好建设的{library}到现在还没有开放。书架几个月前就运到了村里,书却一直没送来,房子一直锁着。孩子们天天问什么时候能借书。请问项目到底什么时候完成?",
			"{library} that was promised last year has still not opened. The shelves were delivered months ago, but no books have arrived and the room stays locked. The children ask every day when they can borrow books. When will the project be finished?",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经核实,因图书采购第一次招标流标,{library}的图书配送有所推迟。目前第二次采购已经完成,首批1200册图书将于两周内送达,由志愿者完成编目上架后正式开放,届时将通知村委会。",
				"The first tender for the books failed, which delayed {library}. The second purchase has now been completed: the first 1,200 books will arrive within two weeks, and volunteers will catalogue and shelve them before the opening, which we will announce through the village committee.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"{library}的场地改造因雨季推迟验收,图书已采购到位,待消防验收通过后即可开放,预计在一个月内。我们会在项目进度公告中持续更新。",
				"The refurbishment of {library} was delayed by the rainy season. The books have been bought and are waiting for the fire-safety inspection; the reading room should open within a month. We will post updates in our project progress reports.",
			}},
		},
		question: bi{"请问书架大约是什么时候运到的?村里目前由谁保管图书室的钥匙?", "When were the shelves delivered, and who in the village keeps the key to the room?"},
		answer:   bi{"书架是三个多月前运到的,钥匙在村委会王主任那里。", "The shelves came more than three months ago. Mr Wang, the village committee director, has the key."},
	},
	{
		key: "foodbank_hours", kind: casefile.KindCOMPLAINT, category: "SERVICE_QUALITY", project: "FOOD_BANK",
		subject: bi{"食物银行领取时间太短,上班族领不到", "Food bank opening hours too short for working families"},
		body: bi{
			"{foodbank}每周只在{weekday}上午九点到十一点开放,我们上班的人根本赶不上,请一次假就要扣工资。能不能增加一个晚上或者周末的领取时段?",
			"{foodbank} only opens on {weekday} mornings from 9 to 11. People who work cannot get there without losing a day's pay. Could you add an evening or weekend collection slot?",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经研究,{foodbank}自下月起每周六上午9:00-12:00增设领取时段,同时试行由社区志愿者代领代送服务,需要的家庭可提前一天电话预约。",
				"From next month {foodbank} will also open on Saturday mornings from 9:00 to 12:00, and we are piloting a delivery service by community volunteers that can be booked by phone a day in advance.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"{foodbank}目前全部由志愿者值守,暂时无法增加晚间时段。您可以委托家人凭登记卡代领,或提前一天电话预约,由志愿者送到就近的社区服务站。",
				"{foodbank} is run entirely by volunteers and cannot open in the evening for now. A family member can collect on your behalf with your registration card, or you can book by phone a day ahead and volunteers will leave your parcel at the nearest community service station.",
			}},
		},
		question: bi{"请问您家目前登记的是哪个领取点?一般哪个时间段方便领取?", "Which collection point are you registered with, and what times would suit you?"},
		answer:   bi{"登记的就是{foodbank},周六上午或者工作日晚上七点以后都可以。", "I am registered with {foodbank}. Saturday mornings or weekday evenings after 7 pm would work."},
	},
	{
		key: "ramp_blocked", kind: casefile.KindCOMPLAINT, category: "ACCESSIBILITY", project: "ELDER_CARE",
		subject: bi{"{centre}门口无障碍坡道长期被占用", "Wheelchair ramp at {centre} constantly blocked"},
		body: bi{
			"我是轮椅使用者,每次去{centre}都发现门口的无障碍坡道停满了电动车和快递车,根本上不去,只能请路人帮忙抬。希望管理方清理占道车辆并设置提示牌。",
			"I use a wheelchair. Every time I go to {centre}, the ramp at the entrance is blocked by e-bikes and delivery carts and I have to ask passers-by to lift me up the steps. Please clear the ramp and put up signs.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"已在{centre}坡道两侧安装隔离桩和“无障碍通道 禁止停放”提示牌,并与社区物业约定每天早晚两次巡查清理。如再发现占用,可直接拨打服务站电话,工作人员将在十五分钟内到场。",
				"Bollards and 'Accessible route – no parking' signs have been installed on both sides of the ramp at {centre}, and the property management company now checks and clears it twice a day. If you find it blocked again, call the service station and staff will come within fifteen minutes.",
			}},
		},
		question: bi{"请问您一般什么时间段前往中心?占道情况是否每天都有?", "At what time of day do you usually visit, and is the ramp blocked every day?"},
		answer:   bi{"一般是上午十点左右,几乎每天都有电动车停在坡道上。", "Usually around 10 am, and there are e-bikes on the ramp almost every day."},
	},
	{
		key: "website_accessibility", kind: casefile.KindSUGGESTION, category: "ACCESSIBILITY", transferTo: "INFORMATION",
		subject: bi{"建议官网支持读屏软件和大字模式", "Website does not work with screen readers"},
		body: bi{
			"我是视障人士,用读屏软件浏览贵组织官网时,很多按钮没有文字标签,项目公告都是图片格式,无法朗读。建议按照无障碍标准改版,并提供大字和高对比度模式。",
			"I am blind and use a screen reader. On your website many buttons have no text labels and the project announcements are published as images, so they cannot be read aloud. Please follow the accessibility guidelines and add large-print and high-contrast modes.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"感谢您的建议!信息部已委托专业机构对官网进行无障碍检测,本月内为所有按钮补充文字标签,公告改为文字版发布,并将在下一版本中增加大字和高对比度模式。改版完成后欢迎您试用并提出意见。",
				"Thank you! We have asked an accessibility specialist to audit the website. All buttons will get text labels this month, announcements will be published as text, and the next version will include large-print and high-contrast modes. We would welcome your feedback once it is live.",
			}},
		},
		question: bi{"请问您使用的是哪款读屏软件和浏览器?主要在哪些页面遇到问题?", "Which screen reader and browser do you use, and on which pages did you have problems?"},
		answer:   bi{"用的是手机自带的读屏功能,主要是“项目公告”和“在线捐赠”两个页面。", "I use the phone's built-in screen reader; the problems are mainly on the project announcements and online donation pages."},
	},
	{
		key: "report_figures", kind: casefile.KindCOMPLAINT, category: "FINANCE",
		subject: bi{"年度工作报告中的财务数据前后不一致", "Figures in the annual report do not match"},
		body: bi{
			"我仔细看了官网公布的年度工作报告,正文第5页写助学项目支出{amount}万元,但附表里只有{amount2}万元,差距不小。作为捐赠人,希望说明原因并更正。",
			"On page 5 of the annual report on your website, spending on education aid is given as {amount} ten-thousand yuan, but the annex shows {amount2}. As a donor I would like an explanation and a correction.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经信息部与财务核对,正文数据包含了跨年度拨付的款项,附表仅统计当年实际支出,两处统计口径不一致导致差异。我们已在报告中补充口径说明并发布更正版,感谢您的细心指正。",
				"Our finance team found that the figure in the text includes grants paid across two financial years, while the annex shows only spending in the year itself. We have added an explanation of both figures and published a corrected report. Thank you for pointing this out.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"两处数据统计口径不同:正文为项目预算执行数(含已签约未拨付部分),附表为当年实际拨付数。报告第12页附注有相关说明,我们将在下一期报告中把说明移至正文,便于阅读。",
				"The two figures measure different things: the text gives the budget committed to the programme, including signed grants not yet paid, and the annex gives the amount actually paid in the year. Note 4 on page 12 explains this; in the next report we will move the explanation into the main text.",
			}},
		},
		question: bi{"请问您查阅的是哪个版本的报告(官网下载还是纸质版)?", "Which version of the report did you read — the download from the website or the printed copy?"},
		answer:   bi{"是官网“信息公开”栏目下载的PDF版本。", "The PDF downloaded from the 'Transparency' section of the website."},
	},
	{
		key: "report_when", kind: casefile.KindINQUIRY, category: "FINANCE",
		subject: bi{"咨询季度工作报告和财务信息的公布时间", "When will the quarterly report and accounts be published?"},
		body: bi{
			"我是贵组织的月捐人,每月捐款{small}元。想了解上季度的工作报告和财务收支情况什么时候公布,在哪里可以查到?另外,管理费用大概占多少比例?",
			"I am a monthly donor ({small} yuan a month). When will last quarter's work report and accounts be published, and where can I find them? I would also like to know what share of donations goes to administrative costs.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的长期支持!季度工作报告和财务报告在每季度结束后一个月内于官网“信息公开”栏目发布,覆盖全部服务项目和收支明细。上一年度管理费用占总支出的7.8%,低于规定的10%上限。",
				"Thank you for your continued support. Quarterly work and financial reports are published in the 'Transparency' section of our website within a month of the end of each quarter and cover every service project and all income and spending. Last year administrative costs were 7.8% of total spending, below the 10% limit.",
			}},
		},
		question: bi{"请问您希望我们通过邮件定期推送报告吗?", "Would you like us to email you the reports when they are published?"},
		answer:   bi{"好的,麻烦发到我登记的邮箱,谢谢。", "Yes please, to the email address I registered. Thank you."},
	},
	{
		key: "hotline_rude", kind: casefile.KindCOMPLAINT, category: "STAFF_CONDUCT",
		subject: bi{"热线接线员态度生硬,未听完就挂断电话", "Rude treatment on the hotline"},
		body: bi{
			"{weekday}下午我打公益服务热线,咨询食物银行的领取条件,接线员语气很不耐烦,没等我说完就挂断了电话。我年纪大了耳朵不好,说话慢一点就被嫌弃,心里很不舒服。",
			"On {weekday} afternoon I called the hotline to ask about the food bank's eligibility rules. The operator sounded impatient and hung up before I had finished. I am hard of hearing and speak slowly, and I felt treated with contempt.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"非常抱歉给您带来不愉快的体验。经调取通话录音,当班接线员确有态度生硬、提前挂断的问题,我们已对其进行批评教育,并安排全体接线员参加服务礼仪培训。食物银行的领取条件已由工作人员电话向您详细说明。",
				"We are very sorry. Having listened to the recording, we found that the operator was indeed curt and ended the call too early. They have been spoken to, and all hotline staff will attend customer-care training. A colleague has since called you to explain the food bank rules in full.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"经调取通话录音,当时通话因线路故障中断,并非接线员主动挂断;接线员随后回拨未能接通。对于给您造成的误会我们深表歉意,已安排专人回电解答您的问题。",
				"The recording shows that the call was cut off by a line fault rather than by the operator, who tried to call you back but could not get through. We apologise for the misunderstanding and a colleague has called you back to answer your question.",
			}},
		},
		question: bi{"请问您来电的大致时间和来电号码?以便我们调取录音。", "Could you tell us roughly when you called and from which number, so that we can find the recording?"},
		answer:   bi{"是上周{weekday}下午三点左右,用的就是登记的这个手机号。", "Last {weekday} around 3 pm, from the mobile number I gave you."},
	},
	{
		key: "procurement_report", kind: casefile.KindREPORT, category: "STAFF_CONDUCT", priority: casefile.PriorityHIGH,
		subject: bi{"举报{library}采购存在利益关联", "Report: conflict of interest in purchasing for {library}"},
		body: bi{
			"{library}的书架和图书采购,供货商是项目一名工作人员亲属开办的公司,报价明显高于市场价,而且没有公开比价。请组织和监督委员会认真核查,本人不便透露身份。",
			"The shelves and books for {library} were bought from a company run by a relative of a project staff member, at prices well above the market rate and without any public comparison of quotes. Please have this checked by the organisation and the oversight committee. I prefer not to reveal my identity.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"根据您提供的线索,行政部会同监督委员会成员进行了核查。经查,相关采购确未执行回避和比价程序,涉事工作人员已调离采购岗位,合同差价已追回。我们已修订采购管理办法,所有采购一律公开比价。",
				"Following your report, the Administration Department and members of the oversight committee investigated. The purchase did not follow the conflict-of-interest and competitive-quote rules; the staff member has been removed from purchasing duties and the price difference has been recovered. The procurement rules have been revised so that every purchase now requires published competing quotes.",
			}},
			{casefile.OutcomeNOT_SUPPORTED, bi{
				"行政部会同监督委员会成员调阅了采购合同、三家比价记录和供应商工商信息,未发现供应商与工作人员存在亲属关系,成交价格低于同期市场均价。感谢您对项目采购的监督。",
				"The Administration Department and members of the oversight committee examined the contract, the three competing quotes and the supplier's registration records. We found no family relationship between the supplier and any staff member, and the price paid was below the market average. Thank you for keeping an eye on our purchasing.",
			}},
		},
		question: bi{"为便于核查,请问您能否提供供货商名称或相关工作人员的岗位?", "To help the investigation, could you tell us the supplier's name or the role of the staff member involved?"},
		answer:   bi{"供货商是县城一家文具公司,具体名称在合同上能查到,涉及的是项目采购负责人。", "The supplier is a stationery company in the county town — the name is on the contract. The person involved is the project's purchasing officer."},
	},
	{
		key: "donation_misuse", kind: casefile.KindREPORT, category: "DONATIONS", priority: casefile.PriorityHIGH,
		subject: bi{"举报{event}募集物资去向不明", "Report: donated goods from the {event} unaccounted for"},
		body: bi{
			"本人参与了{event}的物资清点。活动结束后有一批{item}没有登记入库,听说被个别工作人员私自拿走了。相关登记表和照片我都保留着。希望组织认真调查,但请对我的身份保密。",
			"I helped count the donated goods after the {event}. A batch of {item} was never entered into the stock register, and I was told that a member of staff took it home. I have kept copies of the register and photos. Please investigate, and keep my identity confidential.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"根据您提供的线索,我们成立了专项核查小组,核对了入库记录和监控录像。经查,确有一批{item}未按规定登记,相关人员已被停职,物资已全部追回并发放给受助家庭。我们将完善物资登记制度,并对您的身份严格保密。",
				"Following your report we set up an investigation team and checked the stock records and CCTV. A batch of {item} had indeed not been registered; the person responsible has been suspended and all the goods have been recovered and distributed to the families they were meant for. We are tightening our stock procedures, and your identity remains confidential.",
			}},
			{casefile.OutcomeNOT_SUPPORTED, bi{
				"核查小组逐项核对了{event}的入库单、发放记录和受助人签收单,未发现物资去向不明的情况:您提到的那批{item}已于活动次日直接转运至{foodbank}并全部发放,签收记录齐全。感谢您对捐赠管理的监督。",
				"The investigation team checked every stock receipt, distribution record and beneficiary signature for the {event}. Nothing is missing: the batch of {item} you mention went straight to {foodbank} the day after the event and was handed out in full, with signed receipts. Thank you for keeping watch over how donations are managed.",
			}},
		},
		question: bi{"为便于核查,请问是哪一天发现的?能否通过本平台补充登记表照片?", "To help us investigate, on which day did you notice this, and could you send us photos of the register through this page?"},
		answer:   bi{"是活动结束当天下午清点时发现的,照片已经整理好,稍后通过邮件发送。", "It was during the count on the afternoon the event ended. I have the photos ready and will email them."},
	},
	{
		key: "donation_usage", kind: casefile.KindINQUIRY, category: "DONATIONS",
		subject: bi{"咨询定向捐款的使用情况", "How was my earmarked donation used?"},
		body: bi{
			"我去年定向捐赠{big}元给{library}项目,一直没有收到使用反馈。请问这笔钱具体用在了哪里?能否提供使用明细?",
			"Last year I gave {big} yuan earmarked for {library}, but I have not heard how it was used. Could you tell me what it paid for and send me the details?",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的爱心捐赠!您的定向捐款已全部用于{library}的图书采购和书架购置,我们已将采购清单、发票复印件和验收照片发送至您的邮箱。项目进展也会在季度工作报告中公开。",
				"Thank you for your generous gift. Your earmarked donation was spent in full on books and shelves for {library}. We have emailed you the purchase list, copies of the invoices and photos of the finished room. Progress is also reported in our quarterly reports.",
			}},
		},
		question: bi{"请提供捐赠日期或捐赠票据号码,便于我们查询。", "Please tell us the date of the donation or the receipt number so that we can trace it."},
		answer:   bi{"是去年年底通过官网捐的,票据号我找不到了,用的是登记的这个手机号。", "I donated through the website at the end of last year. I can't find the receipt number, but I used the phone number on this case."},
	},
	{
		key: "privacy_list", kind: casefile.KindCOMPLAINT, category: "PRIVACY", priority: casefile.PriorityURGENT,
		subject: bi{"受助名单公示泄露了我的身份证号", "Published list of beneficiaries shows my ID number"},
		body: bi{
			"贵组织在{community}公告栏张贴的救助名单,写了我的全名、完整身份证号码和家庭住址,邻居们都看到了,网上也能搜到。这样公示非常不妥当,请尽快撤下并删除网上的版本。",
			"The list of aid recipients posted on the notice board in {community} shows my full name, my complete ID number and my home address. All my neighbours have seen it and it can also be found online. Please take it down immediately and remove the online version.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"非常抱歉!我们已于当天撤下公告栏及官网上的名单,并联系搜索引擎删除快照;今后公示仅显示姓氏和身份证号后四位。信息部已修订信息公示规范,并对相关人员开展了个人信息保护培训。",
				"We are very sorry. The list was removed from the notice board and the website the same day, and we have asked search engines to delete their cached copies. From now on only surnames and the last four digits of ID numbers will be published. Our publication rules have been revised and the staff involved have received data-protection training.",
			}},
		},
		question: bi{"为尽快处理,请确认公告栏的具体位置,以及您在哪个网站上看到了相同信息?", "So that we can act quickly, please confirm where the notice board is and on which website you saw the same information."},
		answer:   bi{"就在{community}居委会门口的公告栏,官网“公示公告”栏目里也有同样的表格。", "The notice board outside the {community} residents' committee office; the same table is in the 'Notices' section of your website."},
	},
	{
		key: "privacy_calls", kind: casefile.KindCOMPLAINT, category: "PRIVACY",
		subject: bi{"捐款后频繁接到推销电话,怀疑信息泄露", "Sales calls after donating — was my data leaked?"},
		body: bi{
			"我在{event}中捐款{small}元后,陆续接到好几个保险和理财推销电话,对方能准确说出我的捐款金额和时间。怀疑贵组织的捐赠人信息被泄露,请查清楚。",
			"After giving {small} yuan during the {event}, I started getting sales calls for insurance and investments, and the callers knew exactly how much I had donated and when. I suspect your donor data has been leaked. Please investigate.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"信息部排查了捐赠系统的访问日志和数据导出记录,未发现捐赠人信息外泄;经核实,{event}的线上募捐通过第三方支付平台进行,我们已向该平台反映并要求其核查。您也可以向通信管理部门举报骚扰电话。",
				"We reviewed the access logs and export records of our donor system and found no sign of a leak. The online part of the {event} used a third-party payment platform; we have reported your case to them and asked them to investigate. You can also report the nuisance calls to the telecoms regulator.",
			}},
			{casefile.OutcomeNOT_SUPPORTED, bi{
				"信息部排查了捐赠系统的全部访问日志,所有数据访问均为授权人员正常操作,未发现泄露途径。我们仍将加强数据安全管理,每季度开展一次安全检查。",
				"We reviewed all access logs of our donor system; every access was by authorised staff for normal work and we found no route by which your data could have leaked. We will nevertheless run a security check every quarter.",
			}},
		},
		question: bi{"请问您是通过什么渠道捐款的(现场、官网还是第三方平台)?", "How did you donate — in person, on our website or through a third-party platform?"},
		answer:   bi{"是扫活动海报上的二维码捐的。", "I scanned the QR code on the event poster."},
	},
	{
		key: "volunteer_praise", kind: casefile.KindPRAISE, category: "VOLUNTEER", project: "VOLUNTEER",
		subject: bi{"感谢志愿者{volunteer}的热心帮助", "Thank you to volunteer {volunteer}"},
		body: bi{
			"上周{weekday}我在{community}参加健康讲座时突然头晕,志愿者{volunteer}一直陪着我,帮我联系家人,还把我送到了家。现在这样热心的年轻人不多了,特地来表扬,希望组织能给予表彰。",
			"Last {weekday} I felt dizzy during a health talk in {community}. Volunteer {volunteer} stayed with me, called my family and took me home. I want to say thank you and hope the organisation will recognise such kindness.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的来信!我们已将您的表扬转达给{volunteer}本人和志愿者团队,并将其推荐参加本季度优秀志愿者评选。祝您身体健康!",
				"Thank you for writing! We have passed your thanks on to {volunteer} and the volunteer team, and nominated {volunteer} for this quarter's volunteer award. We wish you good health!",
			}},
		},
	},
	{
		key: "hotline_praise", kind: casefile.KindPRAISE, category: "SERVICE_QUALITY", project: "HOTLINE",
		subject: bi{"表扬热线工作人员服务耐心周到", "Praise for the hotline team"},
		body: bi{
			"上周我打公益服务热线咨询助学金申请,接线的工作人员非常耐心,不仅把流程讲得清清楚楚,还主动帮我联系了孩子的学校。这样的服务让人暖心,特此表扬。",
			"Last week I called the hotline about the scholarship. The person who answered was very patient, explained the whole process clearly and even contacted my child's school for me. That kind of service makes a real difference — thank you.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的认可与鼓励!我们已在部门例会上通报表扬了当班接线员,也会继续努力为大家提供耐心、专业的服务。",
				"Thank you for your kind words. The operator has been commended at our team meeting, and we will keep working to give everyone patient and professional service.",
			}},
		},
	},
	{
		key: "volunteer_signup", kind: casefile.KindINQUIRY, category: "VOLUNTEER", project: "VOLUNTEER",
		subject: bi{"咨询如何报名成为志愿者", "How can I sign up as a volunteer?"},
		body: bi{
			"我是一名退休教师,身体还不错,想利用周末时间参加乡村图书室或社区的课业辅导活动。请问志愿者需要什么条件?怎么报名?有没有岗前培训?",
			"I am a retired teacher in good health and would like to help with weekend tutoring at a rural reading room or in the community. What are the requirements, how do I sign up, and is there any training?",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"欢迎您加入!您可在官网“志愿者招募”页面在线报名,填写服务意向后,我们会在一周内与您联系,安排参加每月第一个周六的岗前培训。培训合格后即可参加周末课业辅导,交通费用由项目承担。",
				"You are very welcome! Please register on the 'Volunteer with us' page of our website. We will contact you within a week and invite you to the induction training held on the first Saturday of each month. After the training you can join the weekend tutoring; travel costs are covered by the project.",
			}},
		},
		question: bi{"请问您方便服务的区域和时间段?是否有教授的专长科目?", "Which area and times would suit you, and which subjects would you like to teach?"},
		answer:   bi{"周六全天都可以,在{community}附近最好,我原来是教数学的。", "All day Saturday, ideally near {community}. I used to teach maths."},
	},
	{
		key: "volunteer_certificate", kind: casefile.KindCOMPLAINT, category: "VOLUNTEER", project: "VOLUNTEER",
		subject: bi{"志愿服务时长证明迟迟未开具", "Volunteer hours certificate still not issued"},
		body: bi{
			"我参加志愿服务已累计{hours}小时,三个月前申请开具服务时长证明,用于学校综合素质评价,到现在还没拿到,多次询问都说“在办理”。马上就要交材料了,请尽快处理。",
			"I have done {hours} hours of volunteering and asked for a certificate of my hours three months ago for my school record. I still do not have it, and every time I ask I am told it is 'in progress'. The deadline is very close — please deal with it quickly.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"经查,因志愿服务管理系统数据迁移,部分时长证明延迟开具。您的证明已于今日办结,可到{community}服务站领取,也可选择邮寄。对于耽误您的时间,我们深表歉意。",
				"A data migration in our volunteer management system delayed some certificates. Yours was issued today and can be collected at the service station in {community} or posted to you. We apologise for the delay.",
			}},
		},
		question: bi{"请提供您的志愿者编号或注册手机号,以便核对服务时长。", "Please give us your volunteer number or registered phone number so that we can check your hours."},
		answer:   bi{"志愿者编号是V{digits},注册用的就是这个手机号。", "My volunteer number is V{digits}; I registered with this phone number."},
	},
	{
		key: "event_notice", kind: casefile.KindSUGGESTION, category: "SUGGESTION", transferTo: "PUBLIC_RELATIONS",
		subject: bi{"建议公益活动提前发布通知", "Please announce events earlier"},
		body: bi{
			"贵组织的公益讲座和亲子活动都办得很好,但通知往往只提前一两天在公众号发布,很多老人不用手机,根本看不到。建议至少提前一周发布,并在社区公告栏张贴海报。",
			"Your talks and family activities are excellent, but they are usually announced on social media only a day or two in advance, and many older people who do not use smartphones never see them. Please announce them at least a week ahead and put posters on community notice boards.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"感谢您的建议!公共关系部已调整活动发布安排:活动通知至少提前7天在公众号和官网发布,并同步在合作社区的公告栏张贴海报,重要活动还将通过社区网格员电话通知。",
				"Thank you for the suggestion. From now on events will be announced at least seven days in advance on our website and social media, with posters on the notice boards of our partner communities, and for major events community workers will phone residents.",
			}},
		},
		question: bi{"请问您一般通过哪些渠道了解社区活动信息?", "How do you usually find out about community activities?"},
		answer:   bi{"主要看小区门口的公告栏,还有居委会的微信群。", "Mostly the notice board at the gate and the residents' committee group chat."},
	},
	{
		key: "tax_receipt", kind: casefile.KindINQUIRY, category: "OTHER",
		subject: bi{"咨询捐赠票据如何开具", "How do I get a donation receipt?"},
		body: bi{
			"我上个月通过官网捐款{small}元,请问怎样开具公益事业捐赠票据?需要用于个人所得税扣除。",
			"I donated {small} yuan through your website last month. How can I get an official donation receipt? I need it for my income tax return.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"捐赠票据可在官网“我的捐赠”页面在线申请电子票据,一般3个工作日内发送到您的邮箱;也可致电公益服务热线,由工作人员代为申请。电子票据与纸质票据具有同等效力,可用于个税扣除。",
				"You can request an electronic receipt on the 'My donations' page of our website; it is usually emailed within three working days. Our hotline can also request it for you. Electronic receipts are valid for tax purposes in the same way as paper ones.",
			}},
		},
		question: bi{"请提供捐赠时使用的手机号或邮箱,便于我们查询捐赠记录。", "Please give us the phone number or email address you used when donating so that we can find the record."},
		answer:   bi{"用的是登记的这个邮箱。", "I used the email address on this case."},
	},
	{
		key: "no_reply", kind: casefile.KindCOMPLAINT, category: "SERVICE_QUALITY",
		subject: bi{"两周前反映的问题至今无人答复", "No answer two weeks after I reported a problem"},
		body: bi{
			"我两周前在网上反映了{canteen}饭菜变质的问题,到现在都没有人联系我,查询进度一直显示“已受理”。请问到底有没有人处理?",
			"Two weeks ago I reported spoiled food at {canteen} on your website. Nobody has contacted me since, and the tracking page still says 'accepted'. Is anyone dealing with it?",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"非常抱歉让您久等。经查,您此前反映的问题在转办环节被遗漏,现已督办社区服务部处理,{canteen}已更换供餐企业。我们同时完善了转办跟踪机制,确保每件信访都有专人负责、按时答复。",
				"We apologise for keeping you waiting. Your earlier report was missed when it was passed between departments. The Community Services Department has now dealt with it and {canteen} has changed caterer. We have also improved how cases are tracked so that each one has a named person responsible and is answered on time.",
			}},
		},
		question: bi{"请提供您此前收到的查询码,以便我们查找原信访件。", "Please give us the tracking code you received for your earlier report so that we can find it."},
		answer:   bi{"查询码我记不清了,是两周前{weekday}晚上提交的,用的是同一个手机号。", "I don't remember the code. I submitted it on a {weekday} evening two weeks ago with the same phone number."},
	},
	{
		key: "photo_consent", kind: casefile.KindCOMPLAINT, category: "PRIVACY", transferTo: "PUBLIC_RELATIONS",
		subject: bi{"宣传文章未经同意使用孩子照片", "Photo of my child used without consent"},
		body: bi{
			"贵组织公众号发布的助学宣传文章里,使用了我孩子的照片和真实姓名,事先没有征得我们同意。孩子在学校被同学议论,心里很难受。请立即删除并说明情况。",
			"An article about the scholarship on your social media account uses my child's photo and real name. Nobody asked our permission, and my child is now being talked about at school. Please remove it immediately and explain what happened.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"非常抱歉!公共关系部已删除文章中的照片和姓名并重新发布。今后宣传材料涉及受助人信息,一律事先签署书面同意书,未成年人一律不露正脸、不用真名。我们已与孩子的班主任沟通,请学校协助做好疏导。",
				"We are very sorry. The photo and name have been removed and the article republished. From now on written consent is required before any beneficiary appears in our publicity, and children are never shown with their faces or real names. We have also spoken to the class teacher, who will help support your child at school.",
			}},
		},
		question: bi{"请提供文章的标题或发布日期,以便我们尽快处理。", "Please tell us the title or date of the article so that we can act quickly."},
		answer:   bi{"文章是上周发布的,标题是“春蕾绽放 点亮梦想”。", "It was published last week under the title 'Spring Buds in Bloom'."},
	},
	{
		key: "smartphone_class", kind: casefile.KindSUGGESTION, category: "SUGGESTION", transferTo: "COMMUNITY_SERVICES", consultation: true,
		subject: bi{"建议在社区开设老年人智能手机培训班", "Smartphone classes for older residents"},
		body: bi{
			"很多老人不会用智能手机预约服务、扫码领取物资,每次都要麻烦别人。建议组织志愿者在{community}开设智能手机培训班,每月两次,内容包括预约挂号、扫码支付和防范电信诈骗。",
			"Many older people cannot use smartphones to book services or scan codes to collect goods and always have to ask for help. Please organise volunteer-led smartphone classes in {community} twice a month, covering appointments, mobile payment and avoiding phone scams.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"感谢您的建议!社区服务部已联合志愿者团队在{community}开设“银龄智能课堂”,每月第二、第四个周三下午上课,首期报名已经开始,可到社区服务站或拨打热线报名。",
				"Thank you! Together with our volunteers we have started 'Silver Smartphone Classes' in {community} on the second and fourth Wednesday afternoon of each month. Registration for the first course is open at the community service station or through the hotline.",
			}},
		},
		question: bi{"请问您所在社区大约有多少老人有这方面的需求?", "Roughly how many older residents in your community would be interested?"},
		answer:   bi{"我们楼里就有十几位,整个社区估计有上百人。", "More than ten in my building alone — probably over a hundred in the whole community."},
	},
	{
		key: "donation_disclosure", kind: casefile.KindSUGGESTION, category: "DONATIONS", consultation: true,
		subject: bi{"建议定期公开捐赠物资的发放明细", "Publish details of how donated goods are distributed"},
		body: bi{
			"捐了东西以后,我们都想知道物资到底发给了谁、发了多少。建议每次募集活动结束后一个月内,在官网和社区公告栏公开物资的入库和发放明细,接受大家监督。",
			"People who donate want to know who received the goods and how much. Please publish the stock and distribution details of each collection on the website and community notice boards within a month of the event, so that the public can check.",
		},
		replies: []reply{
			{casefile.OutcomeSUPPORTED, bi{
				"您的建议已被采纳。自本季度起,每次募集活动结束后30日内,我们将在官网“信息公开”栏目公布物资入库和发放汇总(受助人信息脱敏处理),并纳入季度工作报告。",
				"Your suggestion has been adopted. From this quarter, within 30 days of each collection we will publish a summary of goods received and distributed in the 'Transparency' section of our website, with beneficiaries' details anonymised, and include it in the quarterly report.",
			}},
			{casefile.OutcomeEXPLAINED, bi{
				"感谢建议。物资发放汇总目前已在季度工作报告中公开,为保护受助人隐私,不公开具体到个人的明细。我们将在官网增加物资流向的专题页面,方便查阅。",
				"Thank you. Summaries of distributed goods are already published in our quarterly reports; to protect beneficiaries' privacy we do not publish individual details. We will add a page on the website that shows where donated goods go.",
			}},
		},
		question: bi{"请问您最关心哪类物资的发放情况?", "Which kinds of donated goods are you most interested in?"},
		answer:   bi{"主要是冬衣和米面油这些生活物资。", "Mainly winter clothes and basic food like rice and oil."},
	},
	{
		key: "scholarship_highschool", kind: casefile.KindSUGGESTION, project: "SCHOLARSHIP", consultation: true,
		subject: bi{"希望助学金覆盖范围扩大到高中生", "Extend the scholarship to senior high school"},
		body: bi{
			"春蕾助学金目前只资助小学和初中学生,但高中阶段学费、住宿费更高,很多困难家庭的孩子初中毕业就不读了。建议把资助范围扩大到高中,哪怕名额少一些也好。",
			"The Spring Bud Scholarship only covers primary and junior secondary school, but senior high school fees and boarding costs are higher, and many children from poor families stop after junior school. Please extend the scholarship to senior high, even with fewer places.",
		},
		replies: []reply{
			{casefile.OutcomeEXPLAINED, bi{
				"感谢您的建议。助学项目部正在与捐赠方商议设立“春蕾高中助学计划”,计划下一学年先在两个县试点,每年资助50名高中生。筹资到位后我们将公开发布申请通知。",
				"Thank you. We are discussing a 'Spring Bud Senior High' scheme with our donors, to be piloted in two counties next school year with 50 places a year. We will announce how to apply once the funding is confirmed.",
			}},
		},
		question: bi{"请问您了解到的需要资助的高中生大概有多少?", "Do you know roughly how many senior high students need support?"},
		answer:   bi{"我们镇上每年初中毕业的困难家庭孩子大概有二三十个。", "In our town about twenty to thirty children from poor families finish junior school each year."},
	},
	// Not the organisation's business: declined.
	{
		key: "parking_fees", kind: casefile.KindCOMPLAINT, category: "OTHER", outOfScope: true,
		subject: bi{"小区物业乱涨停车费", "Property company raised parking fees"},
		body: bi{
			"我们小区物业今年把停车费从每月150元涨到了300元,没有开业主大会,也没有公示,请你们管一管。",
			"Our housing estate's property company has doubled the parking fee from 150 to 300 yuan a month without any owners' meeting or notice. Please do something about it.",
		},
		decline: bi{
			"您反映的物业收费问题不属于本组织的服务范围,建议向所在街道办事处或住房和城乡建设部门反映。感谢您的信任。",
			"Property management fees are outside the scope of our organisation. Please contact your subdistrict office or the local housing authority. Thank you for your trust.",
		},
	},
	{
		key: "personal_loan", kind: casefile.KindINQUIRY, category: "OTHER", outOfScope: true,
		subject: bi{"想申请个人借款周转", "Request for a personal loan"},
		body: bi{
			"我做小生意亏了钱,想向你们借两万元周转几个月,可以吗?我可以写借条。",
			"My small business lost money and I would like to borrow 20,000 yuan for a few months. I can sign an IOU. Is that possible?",
		},
		decline: bi{
			"本组织为公益慈善组织,不提供个人借贷服务。如家庭生活确有困难,可向户籍所在地的民政部门申请临时救助。",
			"We are a charity and do not lend money to individuals. If your family is in hardship, you can apply for temporary assistance at the civil affairs office where you are registered.",
		},
	},
	{
		key: "online_shopping", kind: casefile.KindCOMPLAINT, category: "OTHER", outOfScope: true,
		subject: bi{"网购电热水壶质量问题商家拒绝退款", "Online shop refuses refund for faulty kettle"},
		body: bi{
			"我在网上买的电热水壶用了三天就漏电,商家拒绝退款,平台客服也不管。请你们帮我维权。",
			"The electric kettle I bought online started leaking current after three days. The shop refuses a refund and the platform's customer service does nothing. Please help me.",
		},
		decline: bi{
			"消费纠纷不属于本组织的受理范围,建议拨打12315消费者投诉举报热线或通过全国12315平台在线投诉。",
			"Consumer disputes are outside our remit. Please call the 12315 consumer complaints hotline or file a complaint on the national 12315 platform.",
		},
	},
	{
		key: "vague", kind: casefile.KindCOMPLAINT, category: "OTHER", outOfScope: true,
		subject: bi{"有人不干活", "Staff not working"},
		body: bi{
			"听说你们那里有人上班不干活,拿着捐款享受。",
			"I heard some of your people don't do any work and live off the donations.",
		},
		decline: bi{
			"来信内容过于笼统,未提供具体人员、时间和事项,无法核实。如您掌握具体线索,欢迎补充后重新提交,我们将认真核查并对举报人信息严格保密。",
			"Your message does not name any person, time or event, so we cannot look into it. If you have specific information, please submit it again with details; we investigate every report and keep the reporter's identity confidential.",
		},
	},
	{
		key: "job_request", kind: casefile.KindINQUIRY, category: "OTHER", outOfScope: true,
		subject: bi{"请帮忙介绍工作", "Can you find me a job?"},
		body: bi{
			"我今年四十五岁,刚从工厂下岗,想请你们帮忙介绍一份工作,保安、保洁都可以。",
			"I am 45 and have just been laid off from a factory. Could you help me find a job? Security or cleaning would be fine.",
		},
		decline: bi{
			"本组织不提供职业介绍服务。建议您到户籍所在地的公共就业服务机构登记求职,可享受免费职业介绍和技能培训。",
			"We do not offer a job placement service. Please register with the public employment service where you live, which offers free job matching and training.",
		},
	},
}

// Slot values: index i of a slot's list is the same thing in both
// languages.
var slotValues = map[string][]bi{
	"community": {
		{"和平里社区", "Hepingli Community"}, {"望京西园社区", "Wangjing Xiyuan Community"},
		{"双井街道", "Shuangjing Subdistrict"}, {"团结湖社区", "Tuanjiehu Community"},
		{"劲松街道", "Jinsong Subdistrict"}, {"安贞里社区", "Anzhenli Community"},
		{"新街口社区", "Xinjiekou Community"},
	},
	"centre": {
		{"和平里社区养老服务中心", "the Hepingli Elderly Care Centre"},
		{"望京社区日间照料中心", "the Wangjing Day Care Centre"},
		{"双井长者服务站", "the Shuangjing Senior Service Station"},
		{"团结湖社区养老服务中心", "the Tuanjiehu Elderly Care Centre"},
	},
	"canteen": {
		{"和平里长者食堂", "the Hepingli seniors' canteen"},
		{"劲松社区助餐点", "the Jinsong community meal point"},
		{"安贞里长者食堂", "the Anzhenli seniors' canteen"},
	},
	"foodbank": {
		{"望京爱心食物银行", "the Wangjing food bank"},
		{"双井食物银行站点", "the Shuangjing food bank point"},
		{"新街口爱心食物银行", "the Xinjiekou food bank"},
	},
	"school": {
		{"青山镇中心小学", "Qingshan Town Central Primary School"},
		{"城关第二小学", "Chengguan No. 2 Primary School"},
		{"红旗中学", "Hongqi Middle School"},
		{"东坝乡中学", "Dongba Township Middle School"},
		{"石门村小学", "Shimen Village Primary School"},
	},
	"grade":   {{"三年级", "Year 3"}, {"五年级", "Year 5"}, {"初一", "Year 7"}, {"初二", "Year 8"}},
	"library": {{"李家村图书室", "the Lijia Village reading room"}, {"石门村图书室", "the Shimen Village reading room"}, {"黄土坡村图书室", "the Huangtupo Village reading room"}},
	"volunteer": {
		{"刘思远", "Liu Siyuan"}, {"赵静", "Zhao Jing"}, {"王晓雯", "Wang Xiaowen"}, {"陈磊", "Chen Lei"},
	},
	"weekday": {{"周一", "Monday"}, {"周二", "Tuesday"}, {"周三", "Wednesday"}, {"周四", "Thursday"}, {"周五", "Friday"}},
	"event": {
		{"中秋义卖活动", "Mid-Autumn charity sale"}, {"“99公益日”募捐", "99 Giving Day campaign"},
		{"冬衣捐赠活动", "winter clothing drive"}, {"年终慈善晚会", "year-end charity gala"},
	},
	"item":    {{"米面油", "rice, flour and cooking oil"}, {"羽绒服", "down jackets"}, {"学习用品", "school supplies"}},
	"child":   {{"李小雨", "Li Xiaoyu"}, {"王浩然", "Wang Haoran"}, {"张欣怡", "Zhang Xinyi"}, {"刘子涵", "Liu Zihan"}},
	"minutes": {{"四十", "40"}, {"五十", "50"}, {"六十", "60"}, {"九十", "90"}},
	"hours":   {{"120", "120"}, {"86", "86"}, {"64", "64"}, {"150", "150"}},
	"amount":  {{"126.5", "126.5"}, {"138.2", "138.2"}, {"94.7", "94.7"}},
	"amount2": {{"118.4", "118.4"}, {"131.0", "131.0"}, {"86.3", "86.3"}},
	"small":   {{"50", "50"}, {"100", "100"}, {"200", "200"}, {"500", "500"}},
	"big":     {{"2000", "2,000"}, {"5000", "5,000"}, {"10000", "10,000"}},
}

var slotPattern = regexp.MustCompile(`\{(\w+)\}`)

// filler fills the slots of one case's texts consistently.
type filler struct {
	zh     bool
	rng    *rand.Rand
	chosen map[string]string
}

func newFiller(zh bool, rng *rand.Rand) *filler {
	return &filler{zh: zh, rng: rng, chosen: map[string]string{}}
}

func (f *filler) value(name string) string {
	if v, ok := f.chosen[name]; ok {
		return v
	}
	var v string
	switch name {
	case "digits":
		v = fmt.Sprintf("%04d", f.rng.IntN(10000))
	default:
		vals, ok := slotValues[name]
		if !ok {
			panic("demo: unknown text slot " + name)
		}
		v = vals[f.rng.IntN(len(vals))].in(f.zh)
	}
	f.chosen[name] = v
	return v
}

// fill replaces the {slot} placeholders of the case's language version of b.
func (f *filler) fill(b bi) string {
	s := b.in(f.zh)
	s = slotPattern.ReplaceAllStringFunc(s, func(m string) string {
		return f.value(m[1 : len(m)-1])
	})
	if !f.zh && s != "" {
		// A slot such as "the ... centre" may start the text.
		r, size := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// Generic texts.

var internalNotes = []string{
	"已电话联系信访人,进一步了解了具体情况。",
	"已调取相关记录,正在逐项核实。",
	"已与项目负责人沟通,对方承诺两日内书面反馈。",
	"已安排工作人员现场走访核实。",
	"信访人情绪较为激动,已耐心解释处理流程,约定按时答复。",
	"已查阅往期同类信访件的处理意见作为参考。",
	"初步核实情况基本属实,正在研究整改措施。",
	"已向部门负责人汇报,拟按程序答复。",
}

// praiseNotes replace internalNotes on praise.
var praiseNotes = []string{
	"已将表扬内容转达本人及所在团队。",
	"已在部门例会上通报表扬,并记入季度考评。",
}

var publicNotes = []bi{
	{"您反映的问题已交由承办人员办理,我们正在核实,请耐心等待。", "Your case is with the officer responsible and we are looking into it. Thank you for your patience."},
	{"我们已与相关服务点取得联系,将尽快给您答复。", "We have contacted the service point concerned and will reply to you shortly."},
}

// intakeNotes are what the intake agent notes when recording a case, by
// channel.
var intakeNotes = map[casefile.Channel][]string{
	casefile.ChannelHOTLINE:      {"来电人反映情况清楚,已告知办理时限和查询方式。", "来电人要求电话回复,已记录方便接听的时间段。"},
	casefile.ChannelEMAIL:        {"邮件已登记,并已回复邮件确认收到。"},
	casefile.ChannelLETTER:       {"信件已扫描存档,原件交档案室保管。"},
	casefile.ChannelVISIT:        {"来访人当面反映,已告知查询码和PIN码的使用方法。"},
	casefile.ChannelCONSULTATION: {"公众咨询会现场收集的意见,已整理登记。"},
}

// transferReasons are given by intake when passing a case on; handler
// transfer reasons by a handler who finds the case is not theirs.
var (
	transferReasons = []string{
		"经研判,该事项属于{dept}职责范围,转交办理。",
		"信访内容涉及{dept}负责的工作,请该部门牵头处理。",
	}
	handlerTransferReasons = []string{
		"经核实,该事项不属于本部门职责,转{dept}办理。",
		"原分办有误,改由{dept}承办。",
	}
)

var extensionReasons = []string{
	"需要走访多个服务点核实情况,申请延长办理时限。",
	"涉及财务凭证调阅,需要财务部门配合,申请延期。",
	"需与合作学校核对相关材料,申请延期。",
	"涉及外部合作单位,对方尚未书面回复,申请延期。",
}

var (
	approveComments = []string{"同意延期,请抓紧办理并及时告知信访人进展。", "同意。请在延长期限内办结。"}
	rejectComments  = []string{"不同意延期,请按原时限答复,可先告知阶段性进展。", "情况已基本清楚,请按期答复。"}
)

var ratingComments = map[int][]bi{
	5: {{"处理很及时,非常满意!", "Handled quickly — very satisfied!"}, {"工作人员态度很好,问题解决了,谢谢。", "The staff were very kind and the problem is solved. Thank you."}},
	4: {{"总体满意,希望以后回复能再快一些。", "Satisfied overall, though a faster reply would be even better."}, {"问题基本解决了。", "The issue is mostly resolved."}},
	3: {{"答复还算清楚,但实际改进还要再看看。", "The reply was clear, but I will wait and see whether things actually improve."}},
	2: {{"答复比较敷衍,没有解决实际问题。", "The reply was rather perfunctory and did not solve the actual problem."}},
	1: {{"问题根本没有解决,很失望。", "Nothing has been solved. Very disappointed."}},
}

var reviewReasons = [][]bi{
	1: {
		{"对处理结果不满意,问题并没有实际解决,申请复查。", "I am not satisfied with the outcome: the problem has not actually been solved. I request a review."},
		{"答复与实际情况不符,请重新调查。", "The reply does not match what actually happened. Please investigate again."},
	},
	2: {
		{"复查以后情况依旧,申请复核。", "Nothing has changed since the review. I request a re-review."},
		{"对复查结论仍有异议,请求复核。", "I still disagree with the conclusion of the review and ask for a re-review."},
	},
}

var reviewReplyPrefix = []bi{
	1: {"经复查,我们重新调阅了全部材料并再次走访核实。", "Following your request for a review, we re-examined all the records and visited again. "},
	2: {"经复核,评估部会同相关部门对原处理意见进行了审查。", "For the re-review, the Evaluation Department examined the earlier decisions together with the departments concerned. "},
}

// People.

type pinyinName struct{ han, latin string }

var (
	surnames = []pinyinName{
		{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
		{"赵", "zhao"}, {"黄", "huang"}, {"周", "zhou"}, {"吴", "wu"}, {"徐", "xu"}, {"孙", "sun"},
		{"胡", "hu"}, {"朱", "zhu"}, {"高", "gao"}, {"林", "lin"}, {"何", "he"}, {"郭", "guo"},
		{"马", "ma"}, {"罗", "luo"},
	}
	givenNames = []pinyinName{
		{"秀英", "xiuying"}, {"建国", "jianguo"}, {"丽娟", "lijuan"}, {"洋", "yang"}, {"志强", "zhiqiang"},
		{"帆", "fan"}, {"敏", "min"}, {"海燕", "haiyan"}, {"杰", "jie"}, {"桂兰", "guilan"}, {"静", "jing"},
		{"浩", "hao"}, {"晓燕", "xiaoyan"}, {"明", "ming"}, {"红梅", "hongmei"}, {"晓东", "xiaodong"},
		{"芳", "fang"}, {"伟", "wei"}, {"淑珍", "shuzhen"}, {"建华", "jianhua"}, {"玉兰", "yulan"},
		{"德明", "deming"},
	}
	englishNames = []string{
		"Emily Zhang", "David Miller", "Sarah Li", "Tom Wang", "Anna Schmidt", "James Chen",
		"Linda Wu", "Mark Thompson", "Grace Liu", "Peter Novak", "Sophie Martin", "Daniel Kim",
	}
	streets = []bi{
		{"北京市朝阳区和平里北街", "Hepingli North Street, Chaoyang District, Beijing"},
		{"北京市朝阳区望京西路", "Wangjing West Road, Chaoyang District, Beijing"},
		{"北京市东城区安贞里", "Anzhenli, Dongcheng District, Beijing"},
		{"北京市朝阳区劲松南路", "Jinsong South Road, Chaoyang District, Beijing"},
	}
)
