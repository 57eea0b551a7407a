# 窗口日汇总 (daily summary): the window's day, for the supervisor.
# Format: see receipts/README.md.
[center bold double] 窗口日汇总
[center] {centre_name}
[center] 第{window}号窗口  {day}
[if reprint]
[center bold] （{reprint}）
[end]
---
[bold row] 当日受理 | {received}件
[each by_kind]
[row]   {item} | {item.count}
[end]
---
[bold] 当日受理案件现状
[if by_state]
[each by_state]
[row]   {item} | {item.count}
[end]
[else]
  （无）
[end]
---
[row] 当日发放 | {disbursed_count}件
[bold row] 发放合计 | {disbursed_total}
---
[if clerk]
制表：{clerk}
[end]

负责人签字：
