"""中文文本：上传的文件（上限与拒绝）。"""

CATALOG: dict[str, str] = {
    "up_wrong_kind": "这里不接受这种文件：请发送 {kinds} 文件（按文件名判断，例如 data.csv）。",
    "up_too_big": "文件太大：{kind} 文件最大 {limit}。没有导入任何内容。",
    "up_timeout": "读取文件超过 {seconds} 秒，已停止。没有导入任何内容；请发送更小的文件。",
    "io_sheet_archive": "这个 XLSX 文件解压后的数据远超表格应有的大小（或部件太多），未打开。请用 Excel 或 WPS 重新另存为 .xlsx。",
    "io_sheet_too_many_rows": "文件行数太多：最多读取 {rows} 行。没有导入任何内容。",
    "io_sheet_too_many_columns": "文件列数太多：最多读取 {columns} 列。没有导入任何内容。",
}
