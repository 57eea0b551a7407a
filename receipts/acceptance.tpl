# 社会救助受理回执 (acceptance receipt): what the person takes home.
# Format: see receipts/README.md. Lines starting with # are not printed.
[center bold double] 社会救助受理回执
[center] {centre_name}
[if reprint]
[center bold] （{reprint}）
[end]
---
[bold] 受理编号：{case_id}
申请人：{applicant_name}
身份证号：{id_masked}
救助事项：{kind}
[if channel]
[bold] 办理通道：{channel}
[end]
承办部门：{department}
受理窗口：第{window}号窗口
受理人：{clerk}
受理时间：{received_at}
[if help_by]
[bold] 先行救助：{help_by}前
[end]
[if due_by]
[bold] 承诺办结：{due_by}前
[end]
[if estimated]
（{estimated}）
[end]
[if ticket]
排队号：{ticket}
[end]
---
[if documents_owed]
[bold] 尚需补交材料：
[each documents_owed]
  · {item}
[end]
请尽快补齐以上材料。
[else]
申请材料已齐全。
[end]
---
[center] 扫码或凭受理编号查询办理进度
[qr size=6 ec=M] {case_id}
[center] {case_id}
[center] 咨询电话：{centre_phone}
[if complaint_phone]
[center] 监督电话：{complaint_phone}
[end]
