/** A large, valid 文书 catalog as CSV (one row per item; `badRow` gets 31 February), for the import test and the bench. */
export function largeCatalogCsv(rows: number, fondsCode: string, year: number, badRow?: number): Buffer {
  const lines = ['序号,档号,文号,责任者,题名,日期,年度,保管期限,密级,页数'];
  for (let i = 1; i <= rows; i++) {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = i === badRow ? '31' : String(1 + (i % 28)).padStart(2, '0');
    const m = i === badRow ? '02' : month;
    lines.push(`${i},${fondsCode}-WS·${year}-Y-${String(i).padStart(6, '0')},演府发〔${year}〕${i}号,演示市人民政府办公室,关于第${i}项工作的通知,${year}${m}${day},${year},永久,非密,${1 + (i % 30)}`);
  }
  return Buffer.from(lines.join('\n'));
}
