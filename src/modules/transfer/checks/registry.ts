/**
 * The check items of the hand-over stage (移交与接收环节), after DA/T 70-2018
 * 《文书类电子档案检测一般要求》. Each has a stable id of our own — `YJ-<property>-<n>`
 * with ZS 真实性, WZ 完整性, KY 可用性, AQ 安全性 — the wording of the clause it
 * implements, and the level it is judged at (the whole package, an item, a file).
 * Ids never change meaning: reports from years ago must still read right.
 */
import type { Property } from '../model.js';

export interface CheckDefinition {
  id: string;
  property: Property;
  /** DA/T 70-2018 clause it follows (wording as the standard's table gives it). */
  clause: string;
  name: string;
  level: 'package' | 'item' | 'file';
}

export const CHECKS = [
  { id: 'YJ-ZS-01', property: 'authenticity', clause: '固化信息有效性检测', name: '文件摘要值与声明一致', level: 'file' },
  { id: 'YJ-ZS-02', property: 'authenticity', clause: '元数据项数据长度检测', name: '著录项长度符合要求', level: 'item' },
  { id: 'YJ-ZS-03', property: 'authenticity', clause: '元数据项数据类型、格式检测', name: '著录项类型和格式正确（日期、数字等）', level: 'item' },
  { id: 'YJ-ZS-04', property: 'authenticity', clause: '元数据项值域符合度检测', name: '著录项取值在规定范围内（保管期限、密级、代码等）', level: 'item' },
  { id: 'YJ-ZS-05', property: 'authenticity', clause: '元数据项数据值合理性检测', name: '著录项取值合理（年度与日期相符等）', level: 'item' },
  { id: 'YJ-ZS-06', property: 'authenticity', clause: '元数据项数据包含特殊字符检测', name: '著录项不含控制字符和标记', level: 'item' },
  { id: 'YJ-ZS-07', property: 'authenticity', clause: '档号规范性检测', name: '档号符合档号规则并与著录项一致', level: 'item' },
  { id: 'YJ-ZS-08', property: 'authenticity', clause: '元数据项数据重复性检测', name: '档号在批次内和馆藏中不重复', level: 'item' },
  { id: 'YJ-ZS-09', property: 'authenticity', clause: '内容数据的电子属性一致性检测', name: '文件大小、格式与声明和扩展名一致', level: 'file' },
  { id: 'YJ-ZS-10', property: 'authenticity', clause: '元数据是否关联内容数据检测', name: '每件档案都有电子文件', level: 'item' },
  { id: 'YJ-ZS-11', property: 'authenticity', clause: '电子签名、印章、时间戳有效性检测', name: '电子签名有效（DA/T 48 封装包的电子签名块、PDF 签名）', level: 'file' },
  { id: 'YJ-WZ-01', property: 'integrity', clause: '总件数相符性检测', name: '实际件数与声明件数相符', level: 'package' },
  { id: 'YJ-WZ-02', property: 'integrity', clause: '总字节数相符性检测', name: '实际字节数与声明相符', level: 'package' },
  { id: 'YJ-WZ-03', property: 'integrity', clause: '元数据必填著录项目检测', name: 'DA/T 46 必填著录项齐全', level: 'item' },
  { id: 'YJ-WZ-04', property: 'integrity', clause: '连续性元数据项检测', name: '件号连续，无断号和重号', level: 'package' },
  { id: 'YJ-WZ-05', property: 'integrity', clause: '内容数据完整性检测', name: '著录引用的文件都已收到，收到的文件都有著录', level: 'package' },
  { id: 'YJ-KY-01', property: 'usability', clause: '信息包中元数据的可读性检测', name: '著录信息可读', level: 'item' },
  { id: 'YJ-KY-02', property: 'usability', clause: '内容数据格式检测', name: '文件格式可识别且属于归档格式', level: 'file' },
  { id: 'YJ-KY-03', property: 'usability', clause: '内容数据的可读性检测', name: '文件可以打开，未加密、未损坏', level: 'file' },
  { id: 'YJ-KY-04', property: 'usability', clause: '内容数据的可读性检测（数字化成果，DA/T 31）', name: '扫描图像分辨率达标、可解码、非空白页', level: 'file' },
  { id: 'YJ-ZS-12', property: 'authenticity', clause: '内容数据的电子属性一致性检测（页数）', name: '文件页数与著录的页数一致', level: 'item' },
  { id: 'YJ-AQ-01', property: 'security', clause: '病毒感染检测', name: '未感染计算机病毒', level: 'file' },
  { id: 'YJ-AQ-02', property: 'security', clause: '载体中多余文件检测', name: '载体中没有移交内容以外的文件', level: 'package' },
  { id: 'YJ-AQ-03', property: 'security', clause: '操作过程安全性检测', name: '移交途径和接收时摘要值已记录', level: 'package' },
  { id: 'YJ-AQ-04', property: 'security', clause: '密级符合性检测（本系统）', name: '非密系统不接收涉密档案', level: 'item' },
] as const satisfies readonly CheckDefinition[];

export type CheckId = (typeof CHECKS)[number]['id'];

export const CHECK_BY_ID: ReadonlyMap<string, CheckDefinition> = new Map(CHECKS.map((c) => [c.id, c]));
