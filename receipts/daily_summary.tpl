# 窗口日汇总 (daily summary): the window's day, for the supervisor.
# Printed by `onedoor report daily --print`, from the same figures as the report on screen.
# Format: see receipts/README.md.
[center bold double] 窗口日汇总
[center] {centre_name}
[center] 第{window}号窗口  {day}
[if reprint]
[center bold] （{reprint}）
[end]
---
[bold row] 当日受理 | {received}件
[row]   其中绿色通道 | {green}件
[each by_kind]
[row]   {item} | {item.count}件
[end]
---
[bold] 当日受理案件现状
[if by_state]
[each by_state]
[row]   {item} | {item.count}件
[end]
[row]   尚未办结 | {open}件
[row]   已逾期 | {overdue}件
[else]
  （无）
[end]
---
[row] 当日发放 | {disbursed_count}件
[bold row] 发放合计 | {disbursed_total}
[row]   其中备用金支出 | {paid_from_fund}
[row]   其中财政一卡通 | {paid_through_budget}
[if paid_unreconciled]
[bold] ！{paid_unreconciled}
[end]
[if fund_closing]
---
[bold] 救助储备金
[row]   期初余额 | {fund_opening}
[row]   当日收入 | {fund_inflows}
[row]   当日支出 | {fund_outflows}
[bold row]   期末余额 | {fund_closing}
[if fund_unbalanced]
[bold] ！{fund_unbalanced}
[end]
[end]
[if audit_seq]
---
审计链头（第{audit_seq}条）
{audit_head_1}
{audit_head_2}
[end]
---
[if clerk]
制表：{clerk}
[end]

负责人签字：
