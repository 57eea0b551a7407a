# 救助金发放回执 (disbursement receipt): proof that the assistance was paid.
# Format: see receipts/README.md.
[center bold double] 救助金发放回执
[center] {centre_name}
[if reprint]
[center bold] （{reprint}）
[end]
---
[bold] 受理编号：{case_id}
领款人：{applicant_name}
身份证号：{id_masked}
救助事项：{kind}
[if amount]
[bold] 发放金额：{amount}
金额大写：{amount_in_words}
[else]
[bold] 救助金额尚未核定
[end]
[if paid_at]
发放时间：{paid_at}
[if money_source]
资金来源：{money_source}
[end]
[if ledger_entry]
备用金账目：第{ledger_entry}笔
[end]
[if transfer_ref]
转账流水号：{transfer_ref}
[end]
[else]
[bold] 尚未发放（当前状态：{state}）
[end]
经办人：{clerk}
受理窗口：第{window}号窗口
---
[center] 咨询电话：{centre_phone}
[if complaint_phone]
[center] 监督电话：{complaint_phone}
[end]

领款人签字：
