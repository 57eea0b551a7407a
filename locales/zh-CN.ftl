# onedoor: 简体中文。每条消息一个 id；代码按 id 取用，{ $name } 由程序填入。
# The English file (en.ftl) holds the same ids; a test checks both.

## Fixed texts of the counter
operator = 操作员
id-reader = 读卡器
printer = 打印机
fund = 备用金
device-not-configured = 未配置
device-none = 无
device-ready = 就绪
device-busy = 忙
device-simulated = 模拟
device-connecting = 连接中
printer-unreachable = 无法连接
printer-stopped = 打印线程已停止，回执未打印；请重启柜台后补打。
no-printer = 本柜台没有连接打印机。
choose-receipt = 补打哪张回执？
override-title = 主管放行
override-prompt = 主管放行理由（记入办理记录）：
enter-supervisor-amount = 主管审批金额（元）
overdue-title = 超期案件
overdue-none = 没有超期的案件。
col-case-id = 案件编号
queue-title = 今日受理
waiting = 等待
in-progress = 办理中
done = 已办结
col-ticket = 号
col-time = 时间
col-applicant = 申请人
col-id-number = 身份证号
col-kind = 类别
col-state = 状态
col-due = 期限
green-mark = 绿
overdue-mark = !
at-risk-mark = *
estimated-mark = ~
deadline-at-risk = 将到期
deadline-breached = 已超期
deadline-legend = *将到期 !已超期 ~预计
held-state = 挂起
held-no-name = (未填)
intake-title = 受理登记
ticket-label = 号票
no-ticket = 无号票
from-card = (读卡)
field-id-number = 身份证号
field-name = 姓名
field-phone = 电话
field-residence = 户籍
field-household-size = 家庭人口
field-income = 家庭月收入
field-kind = 救助类别
field-reason = 事由
field-amount = 申请金额
field-green = 绿色通道
field-source = 来源
field-reporter = 报告人
field-village = 所在村
field-source-dept = 转来部门
field-description = 情况说明
field-documents = 材料清单
field-address = 住址
field-member = 成员
field-rural-class = 低保类别
field-category = 全额对象
field-support = 供养方式
not-assessed = 未评定
no-category = 无
members-hint = 成员：身份证号 姓名 关系，空格分开
member-needs-name = 还须写姓名和关系
yes = 是
no = 否
entitlement = 测算待遇
entitlement-pending = 填写身份证号、类别和金额后测算
id-typing = 已输入
id-ok = 有效
source-walk-in = 窗口来访
source-officer = 信息员报告
source-dept = 部门转来
detail-title = 案件详情
applicant = 申请人
household = 家庭
persons = 人
monthly-income = 月收入
requested = 申请
granted = 批准
received = 受理
due-by = 办结期限
help-by = 救助时限
referrals = 转介
no-referrals = (无)
pending = 未答复
history = 办理记录
documents = 材料
search-title = 查询
search-prompt = 身份证号 / 姓名 / 案件编号
search-hint = 输入即查，跨所有日期。
search-none = 没有找到。
help-title = 按键说明
help-global = 所有界面
confirm-title = 请确认
confirm-quit = 表单还有未保存的内容（已存为草稿，下次启动可恢复）。现在退出吗？
confirm-discard = 放弃这张表单中未保存的内容吗？
confirm-restore = 上次有一张未保存的登记表。恢复它吗？（Esc 丢弃）
choose-department = 转介到哪个部门？
enter-amount = 批准金额（元）
enter-reason = 不予批准的理由
enter-review-note = 部门审核意见（可空）
reason-required = 请填写理由。
too-small-title = 窗口太小
nothing-selected = 没有选中的案件。
no-held = 没有挂起的号票。
read-card-not-in-form = 已读卡：已打开新的登记表。
card-filled = 已从身份证读入姓名、号码和住址。
store-failed = 存储出错，未保存
draft-restored = 已恢复草稿。
draft-discarded = 草稿已丢弃。

## The supervisor's countersign at the clerk's counter (issue 11)
countersign-title = 主管会签
countersign-act = { $step }案件 { $id } 须由未受理本案的主管办理。请主管输入其名字和密码，仅用于这一步；{ $operator } 保持登录。
countersign-accept = 放行疑似重复申请须由主管办理。请主管输入其名字和密码，仅用于这一步；{ $operator } 保持登录。
countersign-line = 由主管 { $supervisor } 在 { $operator } 的窗口会签
countersign-name = 主管
countersign-pin = 密码
countersign-name-required = 请输入主管的名字。
countersign-pin-required = 请输入主管的密码。
countersign-keys = { $confirm }：下一项/会签    { $switch }：切换输入项    { $cancel }：取消

## The called ticket that does not come (no-show)
confirm-no-show = 将此号记为过号未到吗？已填写的内容将放弃。
no-show-no-ticket = 这张表单没有号票，无从记为过号。
no-show-recorded = { $ticket } 号已记为过号未到。

## A deadline past the calendar's last complete day
deadline-estimated = （预计）

## Reading the card again
reading-card-again = 正在重新读取读卡器上的身份证……
no-reader = 未配置身份证读卡器（[devices] id_reader）。

## Whose draft is offered back, and when it was left
confirm-restore-whose = 有一张未保存的登记表：{ $name }，号票 { $ticket }，{ $when } 留下。恢复它吗？（Esc 丢弃）

## What Esc does on a called ticket's form (the key bar)
key-bar-back-to-line = 退回等候

## The queue's filters and order
queue-filter-all = 全部
queue-filter-waiting = 等待
queue-filter-green = 绿色通道
queue-filter-overdue = 已超期
queue-filter-mine = 我受理的
queue-sorted-by-urgency = ，按紧急程度
queue-view = [{ $filter }：{ $shown }/{ $total }{ $order }]

## The supervisor's screen (F9)
supervisor-title = 负责人
supervisor-tab-attention = 待办
supervisor-tab-figures = 统计
supervisor-tab-cases = 案件
supervisor-attention = 待审批 { $approvals } 件 | 转办将到期 { $at_risk } 件，已超期 { $breached } 件
supervisor-waiting = 挂起号票 { $held } 张 | 待补打回执 { $receipts } 张
supervisor-fund = 备用金 { $balance } | 今日收入 { $inflows }，支出 { $outflows }（{ $moves } 笔）
supervisor-district = 区县转报：待发 { $pending }，失败 { $dead }，最近成功 { $last }
supervisor-district-none = 区县转报：未配置（待发 { $pending }，失败 { $dead }）
supervisor-never = 尚无
supervisor-col-clerk = 经办人
supervisor-col-cases = 件数
supervisor-col-service = 平均办理时长（叫号至保存）
supervisor-service = { $minutes } 分钟（{ $timed } 件有叫号）
supervisor-service-unknown = -（无叫号记录）
supervisor-no-cases = 今日暂无案件。
supervisor-approvals = 待负责人审批：{ $n } 件（{ $key } 打开）
supervisor-no-approvals = 没有待负责人审批的案件。
supervisor-col-requested = 申请金额
supervisor-col-granted = 批准金额
supervisor-total = 合计
supervisor-chart-kinds = 各类案件数
supervisor-chart-hours = 每小时到达 { $from }-{ $to }时
supervisor-peak = 最多 { $n }
supervisor-filter-all = 全部
supervisor-channel-normal = 普通
supervisor-filters = { $state_key } 状态：{ $state }  { $kind_key } 类别：{ $kind }  { $clerk_key } 经办：{ $clerk }  { $channel_key } 通道：{ $channel }  [{ $shown }/{ $total }]
supervisor-refused = 负责人页面仅限负责人使用：{ $why }

## The household of an earlier case, reused
household-reused = 已沿用案件 { $id } 的家庭人口、收入和成员，请与申请人核对。
no-earlier-household = 此身份证号没有以往案件可沿用家庭情况。

## The earlier household, offered unprompted
household-offered = 以往案件 { $id }：家庭 { $size } 人，月收入 { $income }，成员 { $members } 人。按 { $key } 沿用。
household-offer-hint = { $key } 沿用以往：{ $size }人 { $income }

## Receipts waiting for the printer
queue-pending-receipts = 待补打回执 { $count }
confirm-print-pending = 打印机已恢复：有 { $count } 张回执等待补打。现在打印吗？

## What a key binding does (a keymap file's desc names one: desc = "save")
key-help = 帮助
key-quit = 退出
key-call_next = 叫号
key-new_case = 登记
key-search = 查询
key-recall = 取回挂起
key-open = 打开
key-up = 上移
key-down = 下移
key-page_up = 上一页
key-page_down = 下一页
key-first = 第一行
key-last = 最后一行
key-quit_hint = 提示如何退出
key-save = 保存
key-hold = 挂起
key-cancel = 取消
key-back = 返回
key-next_field = 下一项
key-prev_field = 上一项
key-left = 左移/上一选项
key-right = 右移/下一选项
key-toggle = 勾选/切换
key-delete_back = 删除前一字
key-delete_forward = 删除后一字
key-line_start = 到行首
key-line_end = 到行尾
key-refer = 转介
key-review = 审核意见
key-approve = 批准
key-reject = 不予批准
key-disburse = 发放
key-complete = 办结
key-withdraw = 撤回
key-scroll_up = 向上滚动
key-scroll_down = 向下滚动
key-close_help = 关闭帮助
key-confirm = 确认
key-approve_as_supervisor = 主管审批
key-reprint = 补打回执
key-overdue = 超期案件

## Key of the no-show
key-no_show = 过号
key-read_card = 重新读卡
key-next_input = 下一个填写项
key-reuse_household = 沿用以往家庭情况
key-filter = 筛选：全部/等待/绿色通道/已超期/我受理的
key-sort_by_urgency = 按紧急程度/按时间排序

## Keys of the supervisor's screen
key-supervisor = 负责人页面
key-close_supervisor = 返回今日受理
key-tab_next = 下一页签
key-tab_prev = 上一页签
key-filter_state = 按状态筛选
key-filter_kind = 按类别筛选
key-filter_clerk = 按经办人筛选
key-filter_channel = 按通道筛选

## Sign-in, the idle lock and the first supervisor (issue 11)
key-sign_in = 登录
key-sign_out = 退出登录
key-without_operators = 暂不设操作员
signin-title = 登录
signin-lock-title = 已锁定
signin-first-title = 首位主管
signin-intro = 请输入操作员名和密码。所有操作均记在登录的操作员名下。
signin-lock-intro = { $minutes } 分钟无操作，柜台已锁定。正在填写的表单已保留。请再次输入密码，或由其他操作员登录。
signin-signed-out-intro = 已退出登录。请下一位操作员登录；未填完的表单为其填写人保留。
signin-first-intro = 尚无操作员。请创建本所的首位主管（由其添加窗口人员），或按 Esc 暂不设操作员。
signin-name = 操作员
signin-pin = 密码
signin-pin-again = 再输一次
signin-name-needed = 请输入操作员名
signin-pin-needed = 请输入密码
signin-unknown = 没有操作员 { $name }
signin-disabled = 操作员 { $name } 已停用
signin-wrong-pin = 密码错误：再错 { $left } 次将被锁定
signin-locked-out = 密码错误次数过多：{ $name } 锁定至 { $until }；主管可重置密码
signin-pins-differ = 两次输入的密码不一致，请重新输入
signin-welcome = 已登录：{ $name }（{ $role }）
signin-form-kept = 有一份表单为 { $owner } 保留，待其再次登录
signin-form-back = 您的表单已恢复原样
signin-working-without = 未设操作员：操作记为 { $name }
signin-role-clerk = 窗口人员
signin-role-supervisor = 主管

## Names of the codes (kind-dibao is the kind `dibao`)
kind-dibao = 低保
kind-special_hardship = 特困供养
kind-disaster = 受灾救助
kind-medical = 医疗救助
kind-education = 教育救助
kind-housing = 住房救助
kind-employment = 就业救助
kind-temporary = 临时救助
reason-serious_illness = 重大疾病
reason-accident = 意外事故
reason-disaster = 自然灾害
reason-unemployment = 失业
reason-disability = 残疾
reason-old_age = 年老
reason-education_cost = 就学费用
reason-housing_loss = 住房损毁
reason-other = 其他
department-civil_affairs = 民政
department-education = 教育体育
department-human_resources = 人力资源社会保障
department-housing = 住房城乡建设
department-health = 卫生健康
department-emergency_management = 应急管理
department-justice = 司法
department-charity = 慈善总会
state-received = 已受理
state-referred = 已转介
state-under_review = 审核中
state-approved = 已批准
state-rejected = 不予批准
state-disbursed = 已发放
state-completed = 已办结
state-withdrawn = 已撤回
channel-normal = 普通
channel-green = 绿色通道

## Where the money of a case came from (issue 11)
funding-relief_fund = 应急救助备用金
funding-budget = 常规救助资金（一卡通）
residence-urban = 城镇
residence-rural = 农村
sex-male = 男
sex-female = 女
document-id_card = 身份证
document-household_register = 户口簿
document-income_proof = 收入证明
document-application_form = 申请书
document-medical_bills = 医疗票据
document-diagnosis_certificate = 诊断证明
document-disaster_certificate = 受灾证明
document-enrolment_proof = 在学证明
document-housing_proof = 住房证明
document-unemployment_registration = 失业登记
document-disability_certificate = 残疾证
document-accident_report = 事故证明
history-received = 受理
history-referred = 转介
history-reviewed = 部门审核
history-approved = 批准
history-rejected = 不予批准
history-disbursed = 发放
history-completed = 办结
history-withdrawn = 撤回
history-post_reviewed = 事后审核
history-override = 主管放行
history-imported = 导入
history-countersigned = 会签
flag-capped = 已按上限核减
flag-ineligible = 不符合条件
flag-full_standard = 全额标准
flag-possible_duplicate = 疑似重复
flag-receives_dibao = 已享低保
flag-reserve_fund = 备用金支付
flag-yearly_cap_reached = 本年额度已用完
bill-registration = 挂号费
bill-diagnosis = 诊查费
bill-injection = 注射费
bill-observation = 观察费
bill-bed = 床位费
bill-surgery = 手术费
bill-examination = 辅助检查费
bill-drugs = 常规药品费
bill-other = 其他费用
receipt-acceptance = 受理回执
receipt-disbursement = 发放回执
receipt-daily_summary = 日报
category-three_no = 三无人员
category-orphan = 孤儿
category-aids_or_tb_family = 艾滋病/结核病家庭
support-centralised = 集中供养
support-dispersed = 分散供养
support-dispersed_orphan = 分散供养孤儿

## The printer's state: the word on the status line, and .advice what the clerk does about it
printer-ready = 就绪
    .advice = 打印机就绪
printer-paper_near_end = 纸将用完
    .advice = 打印纸即将用完，请准备换纸
printer-paper_out = 缺纸
    .advice = 打印机缺纸，请装纸后补打回执
printer-cover_open = 上盖未合
    .advice = 打印机上盖未合好，请合上后补打回执
printer-offline = 脱机
    .advice = 打印机处于脱机状态，请检查电源和按键后补打回执
printer-error = 故障
    .advice = 打印机故障（切刀卡纸或打印头过热），请排除后补打回执
printer-not_answering = 无应答
    .advice = 打印机没有应答，请检查电源和连线
printer-bad_reply = 应答异常
    .advice = 打印机的应答无法识别，请检查波特率等设置

## Texts with values: { $name } is filled in by the counter
queue-empty = 今天还没有案件。按 { $call } 叫号，或 { $new } 直接登记。
quit-hint = 按 { $key } 退出。
confirm-keys = { $confirm } 确认    { $cancel } 取消
receipt-keys = { $close } 关闭  { $scroll } 滚动
help-typing = 文本框内直接输入文字；{ $delete } 删除。

## F1 help: the marks and the workflow, below the keys
help-guide-queue = 标记：{ $green } 绿色通道（先救助后审核），{ $soon } 将到期，{ $late } 已超期，{ $estimated } 日期超出政策日历（预计：当年节假日尚未载入）。挂起的号票在最上面。办理流程：{ $call } 叫下一个号并打开登记表；身份证放上读卡器即自动填写；{ $save } 保存并打印受理回执。{ $recall } 取回挂起的号票。回车打开案件：转办、审核、批准、发放、办结。{ $filter } 筛选：全部、等待、绿色通道、已超期或我受理的（标题显示当天共几件、显示几件），{ $sort } 按紧急程度排序。{ $supervisor } 打开负责人页面（仅限负责人）。
help-guide-intake = 身份证放上读卡器：姓名、身份证号自动填写，身份证材料自动勾选（{ $reread } 重新读卡）。回车到下一个填写项，Tab 逐项移动。{ $save } 保存并打印回执；{ $hold } 挂起；Esc 把叫到的号退回等候；{ $noshow } 记为过号。
help-guide-detail = 案件流程：受理、转办部门、审核、批准（超过窗口限额由主管批准）、发放、办结。绿色通道先批准发放，事后审核。当前不能做的步骤会说明原因；不可撤销的步骤先确认。
help-guide-search = 输入姓名（申请人或家庭成员）的一部分、身份证号后四位或案件编号，随输随查，包括以往各天。
help-guide-supervisor = 待办：需要负责人处理的事项（超出经办人权限的待审批案件，回车打开所选案件）、将到期或已超期的转办、挂起号票、待补打回执、备用金当日收支、向区县转报的情况，以及每位经办人的件数和平均办理时长（从叫号到保存）。统计：今日案件按类别和状态的件数与金额、各类案件柱状图、每小时到达人数。案件：今日案件，可按状态、类别、经办人和通道筛选。
help-guide-overdue = 已超期的未办结案件：超过办结期限、部门未按期答复转办，或绿色通道未按时救助。

too-small = 请把终端放大到至少 80x24（现在 { $width }x{ $height }）。
window-label = { $window }号窗口
money = { $amount }元
called = 请 { $ticket } 号到窗口办理
held-ticket = { $ticket } 号已挂起，按 { $key } 取回。
held-form = 登记表已挂起，按 { $key } 取回。
accepted = 已受理，案件编号 { $id }
acted = 已{ $action }。
confirm-act = 确认{ $action }案件 { $id }？
    此操作不能撤销。
confirm-act-detail = 确认{ $action }案件 { $id }？
    { $detail }
    此操作不能撤销。
list-separator = 、
ids-more = { " " }等 { $total } 件
earlier-person = 注意：此人已有 { $n } 件案件：
earlier-household = 注意：本户已有 { $n } 件案件：
earlier-one = { $id } { $latest }
possible-duplicate-blocks = 疑似重复救助，须主管放行：
possible-duplicate-note = 注意：疑似重复救助，请核实：
store-failed-because = 存储出错，未保存：{ $error }
results = 找到 { $n } 件
card-failed = 读卡失败：{ $reason }。请拿起身份证重新放好。
card-expired = 此身份证已过有效期（至 { $until }），请核对
card-number-problem = 卡上号码未通过校验：{ $problem }
card-notes-separator = ；
reader-problem = 已断开({ $why })
reader-why-not_found = 找不到设备
reader-why-unplugged = 已拔出
reader-why-busy = 被占用
reader-why-cannot_open = 无法打开
reader-why-no_answer = 无应答
reader-why-security_module = 安全模块异常
reader-why-fault = 故障
printed = 案件 { $id } 的{ $what }已打印
reprinted = 案件 { $id } 的{ $what }已补打
printed-then = { $printed }；{ $status }
receipt-pending = { $reason }。案件 { $id } 的{ $what }未打印，已转入待补打，可在案件详情按 { $key } 补打。
receipt-failed = 案件 { $id } 的{ $what }未打印，也未能记入待补打：{ $error }
reprinting = 正在补打案件 { $id } 的{ $what }…
receipt-on-screen = { $what }（未配置打印机）
write-in-by-hand = ；打印机无法打印 { $chars }，回执上印为 [U+编码]，请手写补上
supervisor-hint = （主管按 { $key } 审批）
supervisor-line = 主管审批，记为 { $operator } 批准
late-due = 办结期限 { $day } 已过
late-help-by = 救助时限 { $day } 已过
late-referral = 转介{ $department }逾期未复(应于 { $day })
overdue-count = 共 { $n } 件
## overdue list, held to its oldest cases
overdue-shown = 显示最早的 { $n } 件
required = { $field }：必须填写
field-problem = { $field }：{ $problem }
member-n = 成员{ $n }
member-id-number = 成员{ $n }身份证号
member-incomplete = 成员{ $n }：身份证号后须写姓名和关系，如「110101199003070011 张秀英 女儿」
member-repeats-applicant = 成员{ $n }与申请人是同一人
member-repeats-member = 成员{ $n }与成员{ $m }是同一人
household-too-small = 家庭人口：{ $size } 人，但除申请人外还填了 { $members } 名成员
household-size-error = 应为 1 到 99 的人数
discount = 减免{ $percent }%
discount-relief = 减免{ $percent }%={ $relief }
rural-class = { $class ->
        [1] 一
        [2] 二
        [3] 三
        [4] 四
        [5] 五
        [6] 六
        [7] 七
        [8] 八
        [9] 九
        [10] 十
       *[other] { $class }
    }类
rural-class-subsidy = { $class ->
        [1] 一
        [2] 二
        [3] 三
        [4] 四
        [5] 五
        [6] 六
        [7] 七
        [8] 八
        [9] 九
        [10] 十
       *[other] { $class }
    }类 每人{ $amount }元
more-above = -- 上面还有 { $n } 行 --
more-below = -- 下面还有 { $n } 行 --
entitlement-flags = { $amount }  [{ $flags }]
entitlement-basis = { $entitlement }
step-refer = 转介
step-review = 记录审核
step-approve = 批准
step-reject = 不予批准
step-disburse = 发放
step-complete = 办结
step-withdraw = 撤回

## The ID card reader and the receipt printer
card-kind-resident = 居民身份证
card-kind-foreign_permanent_resident = 外国人永久居留身份证
card-kind-foreign_permanent_resident_2023 = 外国人永久居留身份证（2023版）
card-kind-hk_macau_taiwan_residence_permit = 港澳台居民居住证
card-label-kind = 证件类型
card-label-name = 姓名
card-label-latin-name = 英文姓名
card-label-sex = 性别
card-label-ethnicity = 民族
card-label-nationality = 国籍
card-label-born = 出生日期
card-label-address = 住址
card-label-id-number = 公民身份号码
card-label-card-number = 永久居留证号码
card-label-permit-number = 通行证号码
card-label-times-issued = 签发次数
card-label-issued-by = 签发机关
card-label-accepting-authority = 受理机关代码
card-label-valid = 有效期限
card-valid-long-term = 长期
card-valid-range = { $from } 至 { $until }
card-has-expired = ！此证件已过有效期
card-sex-not_known = 未知
card-sex-male = 男
card-sex-female = 女
card-sex-not_stated = 未说明
card-ethnicity = { $name }族
card-ethnicity-unknown = 未知代码 { $code }
card-error-truncated = 读到的身份证数据不完整（应为 { $expected } 字节，只有 { $found } 字节），请重新读卡
card-error-text-length = 身份证文字信息长度异常（{ $n } 字节，应为 256）
card-error-bad-date = 身份证上的日期无法识别（{ $field }：“{ $raw }”）
card-error-bad-sex = 身份证上的性别代码无法识别（“{ $raw }”）
frame-checksum = 读卡器发来的数据校验和错误（数据受损）
frame-length = 读卡器发来的数据长度异常（{ $n } 字节）
frame-too-short = 读卡器发来的数据太短（{ $n } 字节）
reader-status-success = 操作成功
reader-status-no_such_item = 身份证中无此项内容
reader-status-card_found = 已找到身份证
reader-status-checksum_error = 读卡器收到的命令校验和错误，请重新读卡
reader-status-length_error = 读卡器收到的命令长度错误，请重新读卡
reader-status-bad_command = 读卡器不认识此命令
reader-status-not_permitted = 读卡器拒绝越权操作
reader-status-unrecognised_error = 读卡器发生无法识别的错误
reader-status-card_rejected_sam = 身份证认证读卡器安全模块失败，请重新放置身份证
reader-status-sam_rejected_card = 读卡器认证身份证失败，请重新放置身份证；仍失败则证件可能有问题
reader-status-verification_failed = 身份证信息验证失败，请重新放置身份证
reader-status-fingerprint_verification_failed = 指纹信息验证错误
reader-status-information_length_error = 身份证信息长度错误
reader-status-unknown_card_kind = 无法识别的证件类型，此读卡器不能读这种证件
reader-status-read_failed = 读身份证失败，请拿起身份证重新放置
reader-status-random_number_failed = 读卡器取随机数失败，请重新放置身份证
reader-status-sam_self_test_failed = 读卡器安全模块自检失败，不能使用，请联系维护人员
reader-status-sam_not_authorised = 读卡器安全模块未经授权，无法使用，请联系维护人员
reader-status-no_card = 读卡器上没有身份证，请放置身份证
reader-status-select_failed = 选取身份证失败，请拿起身份证重新放置
reader-status-other = 读卡器返回未知状态码 { $code }
reader-step-sam_check = 检查读卡器
reader-step-find_card = 寻卡
reader-step-select_card = 选卡
reader-step-read_card = 读卡
reader-not-found = 找不到身份证读卡器（{ $port }），请检查读卡器是否插好
reader-busy = 身份证读卡器（{ $port }）正被其他程序占用
reader-cannot-open = 无法打开身份证读卡器（{ $port }）：{ $reason }
reader-no-answer = { $port } 上的设备没有应答，不是身份证读卡器或波特率不对
reader-disconnected = 身份证读卡器（{ $port }）已断开
reader-no-card = { $seconds } 秒内读卡器上没有放身份证
reader-output = 无法输出读卡结果：{ $reason }
reader-connecting = 正在连接读卡器…
reader-ready = 读卡器就绪
reader-gone = 读卡器已断开：{ $reason }
reader-unavailable = 读卡器不可用：{ $reason }
probe-no-ports = 没有找到串口。
probe-configured = （已配置）
probe-baud = { " " }({ $baud } 波特)
probe-reader = 身份证读卡器：{ $port } ({ $baud } 波特)
probe-baud-differs = 读卡器的波特率与配置不同，请在 [devices] 中设置 id_reader_baud = { $baud }
probe-no-reader = 没有端口应答为身份证读卡器。
probe-port-reader = 身份证读卡器，就绪
probe-port-not-ready = 身份证读卡器，不可用：{ $why }
probe-port-no-answer = 无应答（不是身份证读卡器）
probe-port-absent = 无硬件
probe-port-unusable = 无法打开：{ $why }
print-error-open = 无法连接打印机 { $spec }（{ $error }），回执已转入待补打
print-error-write = 打印中断 { $spec }（{ $error }），请撕下残缺回执并补打

## Forwarding to the district: its settings, what went wrong, the status line, `onedoor sync` and `onedoor outbox`
district-no-url = 未配置区级平台：请在配置中设置 [district] url
district-bad-url = [district] url「{ $url }」不是 http:// 或 https:// 地址
district-no-token-file = 未配置令牌文件：请在配置中设置 [district] token_file
district-token-unreadable = 无法读取令牌文件 { $path }：{ $error }
district-token-empty = 令牌文件 { $path } 是空的
district-token-not-private = 令牌文件 { $path } 其他用户可读；请执行 `chmod 600 { $path }`
district-bad-ca = 无法使用 CA 文件 { $path }：{ $error }
district-unreachable = 无法连接区级平台：{ $error }
district-answered = 区级平台答复 { $status }：{ $reason }
district-unreadable-answer = 区级平台的答复无法读取：{ $error }
district-stopped = 上报已停止：区级平台拒绝了本窗口（{ $status }：{ $reason }）；请修正令牌文件（或区级平台上本镇的令牌）
district-untrusted = 上报已停止：区级平台的证书不受信任（{ $error }）；请在 [district] ca_file 中设置区级平台的 CA 证书（PEM 格式），或检查 [district] url
district-case-missing = 本地库中没有该案件
district-status = 区
district-status-waiting = 待{ $n }
district-status-dead = 退{ $n }
district-status-ok = 成功{ $time }
district-status-error = 失败{ $time }
district-status-stopped = 已停止
sync-summary = 已上报 { $taken } 件；{ $refused } 件被拒（转入退件）；{ $waiting } 件待上报；退件共 { $dead } 件
sync-still-waiting = 仍有 { $n } 件已办结案件待上报：{ $error }
sync-stopped = { $reason }
outbox-empty = 没有待上报的已办结案件
outbox-no-dead-letters = 没有退件
outbox-col-case = 案件
outbox-col-attempts = 次数
outbox-col-next = 下次上报
outbox-col-error = 最近错误
outbox-col-status = 状态码
outbox-col-refused-at = 被拒时间
outbox-col-reason = 原因
outbox-now = 立即
outbox-retried = { $id } 已放回待上报队列，将在下次上报时发送
outbox-not-dead = 案件 { $id } 不在退件中
show-district = 区级平台
show-district-value = 回执 { $receipt }（接收于 { $at }）
show-district-waiting = 待上报
show-district-dead = 区级平台拒收（{ $status }）：{ $reason }
cli-district-case = { $town } 镇 案件 { $id }（{ $state }）
cli-note-district-found = 提示：区级平台记录显示 { $id } 的申请人或家庭成员在其他乡镇得到过救助：{ $cases }
cli-note-local-only = 提示：仅在本地查重：无法询问区级平台（{ $why }）
show-district-check = 查重
show-district-check-local = 仅本地查重
show-district-check-clear = 已经区级平台查重：其他乡镇无记录
show-district-check-found = 已经区级平台查重：{ $cases }
district-banner-found = 区级平台：其他乡镇救助记录：{ $cases }
district-banner-local-only = 仅本地查重：无法连接区级平台

## Refusals and failures: what the counter's message line and the CLI's error line say
id-empty = 请输入身份证号
id-wrong-length = 已输入 { $n } 位，应为 18 位
id-not-a-digit = 第 { $position } 位「{ $found }」不是数字
id-bad-check-character = 末位「{ $found }」应为数字或 X
id-no-such-date = 出生日期 { $date } 不存在
id-future-date = 出生日期 { $date } 晚于今天
id-check-mismatch = 校验位应为 { $expected } 而非 { $found }，有数字输错
money-not-a-number = 「{ $text }」不是金额，如 3000 或 3000.50
money-negative = 金额不能为负
money-too-precise = 最多两位小数
money-too-large = 金额过大
input-error = { $field }：{ $problem }
input-field-schema = 格式
input-field-applicant-name = 姓名
input-field-applicant-id-number = 身份证号
input-field-applicant-phone = 电话
input-field-applicant-address = 住址
input-field-applicant-ethnicity = 民族
input-field-applicant-sex = 性别
input-field-applicant-birth-date = 出生日期
input-field-household-size = 家庭人口
input-field-household-members = 家庭成员
input-field-member-name = 成员{ $n }姓名
input-field-member-relation = 成员{ $n }关系
input-field-member-id-number = 成员{ $n }身份证号
input-field-description = 情况说明
input-field-source-reporter = 报告人
input-field-source-village = 所在村
input-empty = 不能为空
input-too-long = 超过 { $n } 个字
input-control-characters = 含有控制字符
input-bad-phone = 只能包含数字、空格、+ 和 -
input-does-not-match-id-number = 与身份证号不符
input-birth-date-in-future = 出生日期晚于今天
input-size-zero = 至少为 1（申请人本人）
input-too-many-members = 最多 { $n } 人
input-size-too-small = 为 { $size } 人，但除申请人外还列了 { $members } 名成员
input-person-twice = 同一人列了两次
input-unsupported-schema = 不支持「{ $schema }」，应为「{ $expected }」
transition-error = 不能{ $step }（{ $state }）：{ $why }
not-now-closed = 案件已结束
not-now-already-reviewed-afterwards = 事后审核已经记录
not-now-green-needs-review-first = 绿色通道案件须先记录事后审核才能办结
not-now-refer-only-received = 只有已受理的案件可以转介
not-now-green-reviewed-after-approval = 绿色通道案件批准后再审核
not-now-review-only-referred = 只有已转介的案件可以记录审核
not-now-green-approved-at-once = 绿色通道案件受理后直接批准
not-now-approve-after-review = 部门审核后才能批准
not-now-green-not-rejected = 绿色通道案件不能驳回，请撤回
not-now-reject-after-review = 部门审核后才能不予批准
not-now-pay-only-approved = 只有已批准的案件可以发放
not-now-complete-only-paid = 只有已发放的案件可以办结
not-now-withdraw-only-open = 只有办理中的案件可以撤回
earlier-case = 案件 { $id }（{ $kind } { $reason }，{ $received } 受理，{ $id_number }，{ $state }{ $granted }）
earlier-case-granted = ，批准{ $amount }元
earlier-case-separator = ；
duplicate-needs-override = 疑似重复救助，须主管说明理由后放行：{ $cases }
duplicate-override-incomplete = 主管放行须写明主管姓名和理由
fund-over-balance = 备用金余额 { $balance }元，不足支付 { $amount }元
fund-zero = 金额为 0.00 的记账没有意义
fund-too-large = 备用金余额不能超过 100000000.00元
fund-field-operator = 经办人
fund-field-note = 备注
fund-field-donor = 捐赠人
fund-field-correction-reason = 更正理由
fund-text-too-long = 太长
fund-text = { $field }{ $problem }
fund-earlier-year = 这笔记账在 { $year } 年，但账上已有 { $last } 年的记录；备用金按年记账
ceiling-reserve-fund-grant = 每位患者 { $amount }元的备用金救助额
ceiling-per-case = 每案 { $amount }元的上限
ceiling-yearly-urban = 城镇家庭每年 { $amount }元的上限
ceiling-yearly-rural = 农村家庭每年 { $amount }元的上限
ceiling-entitlement = 测算待遇 { $amount }元
ceiling-kind-cap = { $kind } { $amount }元的上限
above-clerk-limit = { $amount }元超过窗口审批限额 { $limit }元，须由主管批准
above-ceiling = { $amount }元超过本案政策上限 { $most }元，主管也不能超额审批
not-supervisor = { $who } 不是本窗口的负责人，不能行使主管权限（负责人即以 --role supervisor 添加的操作员；尚无操作员时以 [counter] supervisors 名单为准）
paid-from-fund = 此案件从应急救助备用金支付
fund-pays-only-green = 应急救助备用金只支付绿色通道（紧急）案件；请用 `case disburse`

## Where the money of a case came from (issue 11)
transfer-ref-on-fund = 备用金支付以备用金账目编号留痕；--transfer-ref 只用于常规救助资金（财政转账）
transfer-ref-empty = 转账流水号为空
transfer-ref-too-long = 转账流水号最多 40 个字符
transfer-ref-character = 转账流水号只能含字母、数字及 '-'、'_'、'/'、'.'（发现 { $char }）

## Four eyes (issue 11)
review-by-payer = 此案件由 { $payer } 发放；事后审核须由未经手发放的其他办事员或负责人登记
four-eyes-needs-supervisor = { $who } 不是负责人：{ $step }须由未受理本案的负责人办理。在窗口由负责人输入其名字和密码会签；命令行用 --countersign 名字（密码取自 ONEDOOR_COUNTERSIGN_PIN 或终端输入），或由负责人本人以 --operator 登录办理
four-eyes-own-case = 本案由 { $supervisor } 受理：{ $step }须由另一位负责人办理（双人复核），由其输入名字和密码会签
guarded-approve_above_limit = 超过办事员限额的批准
guarded-pay_from_fund = 从救助储备金发放
guarded-override_duplicate = 放行疑似重复申请
guarded-fund_correction = 更正储备金
guarded-fund_deposit = 向储备金存入资金
more-than-approved = { $amount }元多于批准的 { $granted }元；要多付须重新批准
## Approving nothing or more than asked
zero-grant = 批准金额为 0.00 元等于不救助；请驳回并写明理由
above-requested = { $amount }元多于申请的 { $requested }元；批准金额不能超过申请金额
import-twice = 案件 { $id } 在文件中出现了两次
import-duplicate = 与第 { $first } 条疑似重复救助（{ $kind } { $reason }，{ $id_number }）；请分开导入并由主管放行
import-born-in-the-future = 字段 'applicant.id_number'：出生日期晚于今天
store-in-use = 数据目录 { $dir } 正被另一个 onedoor 进程使用
store-io = 无法使用数据目录 { $dir }：{ $error }
store-damaged = 数据目录 { $dir } 已损坏：{ $detail }。其中的记录都没有改动。请用 `onedoor restore 备份目录` 恢复最近的备份（损坏的数据会另行保留），或联系技术支持
store-failure = 存储出错：{ $detail }
store-newer-schema = 数据由更新版本的 onedoor 写入（格式 { $found }，本版本只能读 { $reads }）；请升级 onedoor
store-newer-format = 数据目录 { $dir } 由更新版本的 onedoor 写入：{ $detail }。其中的记录都没有改动；请用那个版本（或更新的版本）的 onedoor 打开
store-unknown-record-version = 数据中的{ $what }记录版本为 { $version }，本版本的 onedoor 不认识；请升级 onedoor
store-too-large = { $what }太大，无法保存（{ $size } 字节，上限 { $limit }）
store-not-found = 没有案件 { $id }
store-already-exists = 案件 { $id } 已在数据中
session-bad-now = ONEDOOR_NOW「{ $now }」不是时间，应如 2026-11-29T09:00:00+08:00
session-no-store = { $dir } 中没有数据
session-no-reader = 没有配置身份证读卡器；请用 --port 指定，或在 [devices] 中设置 id_reader

## Import: exported cases no counter could have made
import-sequence-zero = 字段 'id'：序号 0000 从不发放（每天第一件是 0001）
import-id-not-of-its-day = 字段 'id'：编号中的日期 { $day } 不是受理日期（{ $received }）
import-received-in-the-future = 字段 'received_at'：{ $received } 晚于今天（{ $today }）
import-no-history = 字段 'history'：为空（每个案件都从受理开始）
import-history-not-from-reception = 字段 'history'：第一条不是该案在 received_at 的受理记录
import-history-out-of-order = 字段 'history'：第 { $entry } 条早于前一条
import-history-in-the-future = 字段 'history'：第 { $entry } 条晚于今天（{ $today }）
import-illegal-step = 字段 'history'：第 { $entry } 条（{ $action }）不能发生在 { $state } 的案件上
import-state-not-from-history = 字段 'state'：案件状态为 { $state }，但其经办记录走到的是 { $history }
import-no-granted-amount = 字段 'granted_amount'：案件已批准（现为 { $state }），却没有批准金额
import-granted-above-ceiling = 字段 'granted_amount'：{ $amount }元超过{ $ceiling }
import-paid-without-fund-entry = 字段 'state'：案件 { $id } 由应急救助备用金支付，但本库备用金台账中没有这笔支出

## Privacy: masked exports (issue 11)
import-masked-ids = 此记录中的身份证号已脱敏（导出时未加 --full-id）；只能导入主管用 `onedoor case export --full-id` 导出的数据

## Texts: characters that hide what a text says
input-direction-controls = 含有改变显示方向的控制字符（如 U+202E）
input-invisible-characters = 含有不可见字符（BOM、零宽空格等）

## The command line
cli-output-failed = 无法写出结果：{ $error }
cli-cannot-read-stdin = 无法读取标准输入：{ $error }
cli-cannot-read = 无法读取 { $path }：{ $error }
cli-input-too-large = { $path } 超过 { $limit } MiB，命令最多读取这么多；请拆分
cli-line = 第 { $line } 行：{ $error }
cli-no-records = { $file } 中没有记录
cli-note-duplicate = 注意：{ $id } 可能与以前的救助重复：{ $related }
json-invalid = JSON 格式错误：{ $error }
json-field = 字段 '{ $path }'：{ $error }
bad-case-id = 「{ $id }」不是案件编号，应如 320106001-03-20261129-0007
id-check-valid = 有效：{ $number }
id-check-converted = 由旧号码转换：{ $number }
id-check-birth-date = 出生日期：{ $date }
id-check-sex = 性别：{ $sex }
id-check-region = 地区代码：{ $code }
id-check-masked = 遮蔽显示：{ $number }
policy-valid = { $file }：政策「{ $version }」自 { $from } 起施行，文件有效
policy-dated = { $version }（自 { $from }）
policy-book = 政策库中的政策：{ $policies }
policy-superseded = 为记录了它的案件保留：{ $version }（已被区县政策取代）
fund-donor-only-donation = --donor 只用于 --source donation
fund-donation-needs-donor = 捐赠须用 --donor 写明捐赠人
fund-balance-now = 余额 { $balance }
fund-disbursed = { $id } 已发放 { $amount }；余额 { $balance }
fund-statement-damaged = { $year } 年的账目不平：备用金台账已损坏
fund-ledger-title = 应急救助备用金，{ $year } 年
receipt-printed = 已打印 { $id } 的回执（{ $status }）
receipt-write-in-note = 注意：打印机无法打印 { $chars }，回执上印为 [U+编码]，请手写补上
receipt-kept-pending = { $reason }；回执已转入待补打（{ $key }），可以再次打印
probe-printer = 打印机 { $printer }：{ $state }
probe-no-printer = 打印机：未配置（回执显示在屏幕上）
show-code = { $name }
show-case = 案件
show-state = 状态
show-kind = 类别
show-kind-value = { $kind }（{ $channel }）
show-reason = 事由
show-applicant = 申请人
show-phone = 电话
show-household = 家庭
show-household-value = { $size } 人，月收入 { $income }元
show-member = {"  "}成员
show-source = 来源
show-description = 情况说明
show-requested = 申请金额
show-entitled = 测算待遇
show-entitled-value = { $amount }
show-flags = 标记
show-earlier = 以前的案件
show-granted = 批准金额
show-help-by = 救助时限
show-due-by = 办结期限
show-deadline = { $date }（{ $status }）

## The command line beside a running counter (issue 11)
control-unsafe = 柜台的套接字 { $path } 不安全，不能向其发送 PIN（{ $why }），未使用。请关闭柜台；若柜台未运行，请删除该文件
control-failed = 无法通过 { $path } 与柜台通信：{ $error }
control-refused-user = 柜台只接受其本用户的命令（{ $why }）
control-bad-request = 柜台无法读取此请求：{ $why }
control-not-utf8 = 参数“{ $arg }”不是 UTF-8 文本，无法发送给柜台
control-gone = 发送命令时柜台已关闭；请再运行一次
control-not-beside = 柜台不代命令行执行此命令；请先关闭柜台
control-panicked = 柜台执行此命令时出错（数据目录中的 onedoor.log 记录了位置）；柜台继续运行

## A deadline past the calendar's last complete day (case show)
show-estimated = { $date } 预计：该年节假日尚未列入政策日历

show-received = 受理
show-received-value = { $at } { $operator }
show-owed = 欠缺材料
show-referral = 转介
show-referral-value = { $department } 期限 { $due }（{ $handled }）
show-referral-answered = 已答复 { $date }
show-referral-open-status = 未答复，{ $status }
show-referral-open = 未答复
show-history = 办理记录

## Where the money of a case came from (issue 11)
show-paid = 发放
paid-from-fund-entry = { $amount }，{ $source }（备用金账第 { $entry } 笔）
paid-through-budget-ref = { $amount }，{ $source }（转账流水号 { $reference }）
paid-no-trace = { $amount }，{ $source }（转账流水号未登记）
list-green = 绿色通道
deadline-on_track = 未到期
deadline-at_risk = 将到期
report-code = { $name }
report-title = { $day } 日报  { $town } { $window }号窗口
report-as-of = 状态、办理中和超期按 { $at } 统计
report-received = 受理案件
report-now-in-state = 现{ $state }
report-still-open = 仍在办理
report-overdue-now = 现已超期
report-requested = 申请金额
report-entitled = 测算待遇
report-granted = 批准金额
report-col-case = 案件
report-col-kind = 类别
report-col-channel = 通道
report-col-state = 现状态
report-col-name = 姓名
report-col-id-number = 身份证号
report-col-requested = 申请
report-col-granted = 批准
report-overdue = 超期
report-steps = 当日办理步骤
report-on-cases = 涉及案件
report-steps-counted-on = {"  "}统计范围：当日受理的案件、所有未结案件和当日由备用金支付的案件；
    {"  "}不含此前受理、后来已办结、不予批准或撤回的案件

## Where the money of a case came from (issue 11)
report-paid = 当日发放
report-from-fund = 备用金支出
report-through-budget = 常规救助资金（财政一卡通）
report-without-ref = （其中 { $n } 笔转账流水号未登记）
report-unrecorded = 资金来源未记录
report-reconciles = 账目相符：发放 { $paid } = 备用金支出 { $fund } + 常规资金 { $budget }
report-does-not-reconcile = 账目不符：发放 { $paid }，备用金支出 { $fund }（备用金账支出 { $ledger }），常规资金 { $budget }，来源未记录 { $unrecorded }
report-fund = 应急救助备用金
report-opening = 期初余额
report-budget = 预算拨款
report-donations = 捐赠
report-corrections-in = 更正增加
report-disbursements = 发放
report-payments = （{ $n } 笔）
report-corrections-out = 更正减少
report-closing = 期末余额
report-balances = 平衡：{ $opening } + { $inflows } - { $outflows } = { $closing }
report-does-not-balance = 账目不平：{ $problem }
report-fund-does-not-add-up = 期初 + 收入 - 支出 = { $comes_to }，但台账期末为 { $closing }：当日有 { $refused } 笔记账会使余额为负或无效；台账已损坏
report-fund-differs = 台账合计 { $closing }，但备用金余额为 { $stored }；数据已损坏
report-entry-budget = 预算拨款
report-entry-donation = 捐赠：{ $donor }
report-entry-paid = 支付案件 { $id }
report-entry-correction = 更正：{ $reason }
report-backlog = 所有日期仍在办理的案件
report-backlog-overdue = 其中超期
report-printer-needs-print = --printer 须与 --print 一起使用：加上 --print 打印日汇总
report-printed = 已打印 { $day } 的日汇总（{ $status }）
report-kept-pending = { $reason }；{ $day } 的日汇总已转入待补打（{ $key }）；可用 `onedoor report daily --day { $day } --print` 再次打印

## The audit chain (issue 11)
audit-whole = 审计链完整：共 { $entries } 条，链头 { $head }
audit-broken = 审计链已被破坏：{ $why }
audit-altered = 第 { $seq } 条审计记录被改动
audit-removed = 第 { $from } 至 { $to } 条审计记录缺失
audit-reordered = 第 { $seq } 条审计记录顺序被调换
audit-anchor-mismatch = 第 { $seq } 条审计记录与日汇总上打印的链头不符：审计链被改写

## Operators and PINs (issue 11)
operator-unknown = 本窗口没有操作员 { $name }
operator-is-disabled = 操作员 { $name } 已停用
operator-wrong-pin = 密码错误（再错 { $left } 次将被锁定）；未做任何更改
operator-locked-out = 密码错误次数过多：锁定至 { $until }；可由负责人重置密码（`onedoor operator pin NAME`）
operator-first-supervisor = 第一个操作员必须是负责人：请加 --role supervisor
operator-needs-supervisor = 只有负责人可以办理：请用 --operator 给出负责人的名字及其密码
operator-disable-self = 操作员不能停用自己；可由另一位负责人停用
operator-exists = 已有操作员 { $name }
operator-pin-of-another = 只有 { $name } 本人可以修改自己的密码；负责人可以重置办事员的密码
operator-name-empty = 操作员名不能为空
operator-name-too-long = 操作员名最多 32 个字符
operator-name-character = 操作员名只能含字母、数字及 '_'、'-'、'.'（发现 { $char }）
pin-length = 密码为 6 至 12 位数字
pin-not-digits = 密码只能是数字
pin-guessable = 同一数字重复或 123456 这类连续数字最易被猜中；请另选
pin-bad-hash = 此操作员保存的密码无法读取（{ $why }）；须由负责人重置
pin-cannot-hash = 无法处理密码：{ $why }
pin-needed = { $name } 须输入密码：设置 ONEDOOR_PIN、给出 --pin-file FILE，或在终端输入
pin-cannot-read = 无法读取密码：{ $error }
pin-prompt = { $name } 的密码：{" "}
countersign-pin-prompt = { $name } 会签，请输入密码：{" "}
countersign-refused = { $name } 的会签：{ $error }
countersign-pin-needed = { $name } 会签须给出其密码：设置 ONEDOOR_COUNTERSIGN_PIN，或在终端输入
new-pin-prompt = { $name } 的新密码：{" "}
new-pin-needed = 新密码：设置 ONEDOOR_NEW_PIN 或在终端输入
operator-needs-name = 已设操作员：每项更改都须给出 --operator NAME（或 ONEDOOR_OPERATOR）
operator-added = 已添加 { $name }（{ $role }）
operator-disabled-now = 已停用 { $name }
operator-pin-set = 已为 { $name } 设置新密码
operator-list-disabled = 已停用
operator-list-locked = 锁定至 { $until }
policy-none = 无
policy-and = 、
policy-head = 政策 { $version } 自 { $from } 起施行
policy-approval = 审批：窗口审批限额 { $limit }元，超过须由主管批准
policy-urban-dibao = 城镇低保：每人每月标准 { $standard }元，减去家庭人均收入；全额标准对象：{ $full }
policy-rural-class = { $class ->
        [1] 一
        [2] 二
        [3] 三
        [4] 四
        [5] 五
       *[other] { $class }
    }类 { $amount }元
policy-rural-dibao = 农村低保：每人每月 { $classes }
policy-special-hardship = 特困供养：集中供养 { $centralised }元，分散供养 { $dispersed }元，分散供养孤儿 { $orphan }元（每人每年）
policy-discount = { $item }减免{ $percent }%
policy-medical = 医疗救助（低保对象）：{ $discounts }
policy-temporary-per-case = 每案最多 { $amount }元
policy-temporary-no-cap = 每案不设上限
policy-temporary-per-year = ；每户每年最多城镇 { $urban }元、农村 { $rural }元
policy-temporary = 临时救助：{ $per_case }{ $per_year }
policy-emergency = 应急救助：绿色通道{ $reasons }患者每人由备用金支付 { $grant }元，适用于{ $kinds }案件
policy-department-kinds = 受灾、教育、住房、就业救助：由部门决定；上限：{ $caps }
policy-duplicates = 重复救助：{ $months } 个月内同类别同事由；须主管说明理由放行的类别：{ $kinds }
policy-time-limits = 时限（工作日，受理 + 审核 + 审批 = 全程）：
policy-green-channel = 绿色通道：{ $help } 个工作日内救助，事后 { $review } 个工作日内完成审核
policy-referral-limits = 转介时限：{ $limits }；其他部门按该类别的审核时限
policy-calendar-span = （{ $from } 至 { $to }）
policy-calendar = 日历：周末，{ $holidays } 天法定节假日{ $span }，{ $makeup } 个调休工作日
policy-calendar-complete = 日历完整至 { $until }；此后只计周末和固定日期的节日（1月1日、5月1日、10月1日至3日），其中的期限为估计
policy-calendar-no-year = 日历未列任何年份；只计周末和固定日期的节日（1月1日、5月1日、10月1日至3日），其中的期限为估计
backup-store-in-use = 数据目录 { $dir } 正被另一个 onedoor 进程（柜台）使用；请先关闭柜台再备份
backup-cannot-rotate = 无法删除 { $dir } 中的旧备份：{ $error }
backup-removed = 已删除旧备份 { $dir }
backup-verified = { $dir }：{ $cases } 件案件，{ $at } 取自 { $store }；完整无损
backup-restored = 已把 { $cases } 件案件（{ $at } 的备份）恢复到 { $into }
backup-kept-aside = 原有的数据保留在 { $dir }
backup-numbers-continue = 备份之后受理的案件不在其中；今天的案件编号从 { $from } 接着编
