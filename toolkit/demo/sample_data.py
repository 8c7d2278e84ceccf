"""Realistic sample data for the customer register and the complaint tracker (pure: no file access).

:func:`generate` returns records keyed by canonical column names, staff-owned columns only (the
toolkit fills its own columns). The same seed always gives the same data. With ``messy=True`` the
data carries the kinds of mistakes real workbooks have - unknown and duplicate customer IDs, IDs
with stray spaces, dates typed as text, a few unreadable values - and :attr:`SampleData.mess`
lists every one of them, so tests can check that each is found.

Conventions: timestamps are whole minutes and none is later than 18:00 on `end` (the day the
snapshot is taken); ``expected_completion`` and ``promised_date`` are promises and may lie after it.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

__all__ = ["Mess", "SampleData", "generate", "CUSTOMER_COLUMNS", "COMPLAINT_COLUMNS"]

CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "industry",
    "company_size",
    "contact_person",
    "contact_title",
    "phone",
    "email",
    "address",
    "preferred_channel",
    "service_time",
    "customer_type",
    "source_channel",
    "account_owner",
    "first_contact_date",
    "orders_12m",
    "revenue_12m",
    "last_order_date",
    "last_visit_date",
    "needs",
    "preferences",
    "tier_override",
    "override_reason",
    "override_approver",
    "override_expires",
)
COMPLAINT_COLUMNS = (
    "complaint_id",
    "received_at",
    "channel",
    "customer_id",
    "request_type",
    "description",
    "category",
    "subcategory",
    "priority",
    "department",
    "handler",
    "expected_completion",
    "status",
    "recorded_at",
    "responded_at",
    "settlement_told_at",
    "promised_date",
    "resolved_at",
    "feedback_at",
    "closed_at",
    "survey_at",
    "wait_started_at",
    "wait_ended_at",
    "solution",
    "satisfaction",
)
CUSTOMER_DATE_COLUMNS = ("first_contact_date", "last_order_date", "last_visit_date", "override_expires")
COMPLAINT_DATETIME_COLUMNS = (
    "received_at",
    "expected_completion",
    "recorded_at",
    "responded_at",
    "settlement_told_at",
    "resolved_at",
    "feedback_at",
    "closed_at",
    "survey_at",
    "wait_started_at",
    "wait_ended_at",
)
COMPLAINT_DATE_COLUMNS = ("promised_date",)


@dataclass(frozen=True)
class Mess:
    """One deliberate mistake: which table ("customers"/"complaints"), which record (0-based index
    into the list; workbook row = index + 2), which column, what kind and the value written."""

    table: str
    index: int
    column: str
    kind: str  # unknown_customer, stray_space, duplicate_id, date_as_text, unreadable
    value: object


@dataclass
class SampleData:
    customers: list[dict[str, object]]
    complaints: list[dict[str, object]]
    mess: list[Mess] = field(default_factory=list)


# ------------------------------------------------------------------------------------ vocabulary

_CITIES = {  # city: districts
    "上海": ["浦东新区", "徐汇区", "闵行区", "静安区", "杨浦区", "嘉定区"],
    "北京": ["朝阳区", "海淀区", "丰台区", "东城区", "大兴区"],
    "深圳": ["南山区", "福田区", "宝安区", "龙岗区", "龙华区"],
    "广州": ["天河区", "番禺区", "白云区", "黄埔区", "越秀区"],
    "杭州": ["西湖区", "滨江区", "余杭区", "萧山区", "拱墅区"],
    "南京": ["鼓楼区", "江宁区", "玄武区", "建邺区"],
    "苏州": ["工业园区", "吴中区", "相城区", "姑苏区", "高新区"],
    "成都": ["武侯区", "高新区", "锦江区", "成华区", "双流区"],
    "武汉": ["洪山区", "江汉区", "武昌区", "东西湖区"],
    "西安": ["雁塔区", "未央区", "碑林区", "长安区"],
    "重庆": ["渝北区", "江北区", "九龙坡区", "沙坪坝区"],
    "天津": ["滨海新区", "河西区", "南开区", "西青区"],
    "青岛": ["市南区", "崂山区", "黄岛区", "城阳区"],
    "厦门": ["思明区", "湖里区", "集美区"],
    "宁波": ["鄞州区", "北仑区", "海曙区"],
    "长沙": ["岳麓区", "雨花区", "开福区"],
    "郑州": ["金水区", "二七区", "郑东新区"],
    "合肥": ["蜀山区", "包河区", "庐阳区"],
    "济南": ["历下区", "槐荫区", "高新区"],
    "无锡": ["新吴区", "滨湖区", "梁溪区"],
    "东莞": ["南城街道", "长安镇", "松山湖"],
    "佛山": ["南海区", "顺德区", "禅城区"],
}
_CITY_WEIGHTS = [9, 8, 8, 7, 7, 5, 6, 5, 4, 3, 4, 4, 3, 2, 3, 2, 2, 2, 2, 3, 3, 3]
_ROADS = [
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "科技路",
    "长江路",
    "黄河路",
    "和平路",
    "新华路",
    "文化路",
    "工业大道",
    "滨江大道",
    "创业路",
    "高新大道",
    "南京路",
    "光明路",
    "青年路",
    "胜利路",
    "金融街",
    "兴业路",
    "学府路",
    "迎宾大道",
    "环城北路",
    "东风路",
    "湖滨路",
]
_BUILDINGS = ["大厦", "科技园", "产业园", "商务中心", "广场"]

# Two-character trade names: (characters, pinyin).
_NAME_CHARS = [
    ("华", "hua"),
    ("信", "xin"),
    ("瑞", "rui"),
    ("恒", "heng"),
    ("德", "de"),
    ("兴", "xing"),
    ("盛", "sheng"),
    ("达", "da"),
    ("鑫", "xin"),
    ("泰", "tai"),
    ("宏", "hong"),
    ("远", "yuan"),
    ("中", "zhong"),
    ("联", "lian"),
    ("安", "an"),
    ("康", "kang"),
    ("博", "bo"),
    ("创", "chuang"),
    ("新", "xin"),
    ("源", "yuan"),
    ("正", "zheng"),
    ("通", "tong"),
    ("明", "ming"),
    ("嘉", "jia"),
    ("卓", "zhuo"),
    ("越", "yue"),
    ("力", "li"),
    ("天", "tian"),
    ("成", "cheng"),
    ("海", "hai"),
    ("润", "run"),
    ("丰", "feng"),
    ("金", "jin"),
    ("宇", "yu"),
    ("合", "he"),
    ("智", "zhi"),
]
# industry: [trade words used in company names]
_INDUSTRIES = {
    "制造业": ["机械", "精密制造", "重工", "机电设备", "五金制品"],
    "信息技术": ["科技", "信息技术", "软件", "网络科技", "数据科技"],
    "批发零售": ["贸易", "商贸", "供应链", "百货"],
    "物流运输": ["物流", "货运代理", "仓储"],
    "医药健康": ["医药", "生物科技", "医疗器械"],
    "建筑建材": ["建材", "建设工程", "装饰工程"],
    "食品饮料": ["食品", "饮料", "农业发展"],
    "教育培训": ["教育科技", "培训", "文化传播"],
    "金融服务": ["投资咨询", "融资租赁", "保险代理"],
    "能源化工": ["化工", "新能源", "环保科技"],
    "纺织服装": ["纺织", "服饰", "针织"],
    "汽车配件": ["汽车配件", "汽车服务", "车用电子"],
}
_INDUSTRY_WEIGHTS = [18, 16, 14, 8, 7, 7, 6, 4, 4, 6, 5, 5]
_ODD_NAMES = [
    "A&B <联合> 贸易有限公司",
    "Star&Moon <星月> 设计有限公司",
    "深圳<创新>&<智造>科技有限公司",
    "O'Brien & 王氏咨询有限公司",
    '成都"蜀韵"文化传播有限公司',
]

_SURNAMES = [
    ("王", "wang", 12),
    ("李", "li", 12),
    ("张", "zhang", 11),
    ("刘", "liu", 9),
    ("陈", "chen", 8),
    ("杨", "yang", 6),
    ("黄", "huang", 5),
    ("赵", "zhao", 5),
    ("吴", "wu", 4),
    ("周", "zhou", 4),
    ("徐", "xu", 3),
    ("孙", "sun", 3),
    ("马", "ma", 3),
    ("朱", "zhu", 3),
    ("胡", "hu", 3),
    ("郭", "guo", 3),
    ("何", "he", 2),
    ("高", "gao", 2),
    ("林", "lin", 2),
    ("罗", "luo", 2),
    ("郑", "zheng", 2),
    ("梁", "liang", 2),
    ("谢", "xie", 2),
    ("宋", "song", 2),
    ("唐", "tang", 2),
    ("许", "xu", 2),
    ("韩", "han", 1),
    ("冯", "feng", 1),
    ("邓", "deng", 1),
    ("曹", "cao", 1),
    ("彭", "peng", 1),
    ("曾", "zeng", 1),
    ("肖", "xiao", 1),
    ("田", "tian", 1),
    ("董", "dong", 1),
    ("潘", "pan", 1),
    ("蒋", "jiang", 1),
    ("蔡", "cai", 1),
    ("余", "yu", 1),
    ("杜", "du", 1),
    ("叶", "ye", 1),
    ("程", "cheng", 1),
    ("苏", "su", 1),
    ("魏", "wei", 1),
    ("欧阳", "ouyang", 1),
]
_GIVEN = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("英", "ying"),
    ("华", "hua"),
    ("建", "jian"),
    ("国", "guo"),
    ("文", "wen"),
    ("婷", "ting"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("晨", "chen"),
    ("欣", "xin"),
    ("佳", "jia"),
    ("思", "si"),
    ("雪", "xue"),
    ("琳", "lin"),
    ("志", "zhi"),
    ("鹏", "peng"),
    ("辉", "hui"),
    ("玲", "ling"),
    ("斌", "bin"),
    ("红", "hong"),
]
_TITLES = [
    "总经理",
    "副总经理",
    "采购经理",
    "采购专员",
    "行政主管",
    "IT主管",
    "运营总监",
    "财务经理",
    "设备科长",
    "办公室主任",
    "项目经理",
    "质量主管",
    "技术负责人",
    "董事长助理",
]
_TITLE_WEIGHTS = [6, 4, 14, 10, 8, 6, 5, 5, 4, 6, 8, 5, 6, 3]
_MAIL_HOSTS = ["163.com", "126.com", "qq.com", "sina.com", "139.com"]

_SERVICE_TIMES = [
    "工作日 9:00-18:00",
    "工作日上午",
    "工作日下午",
    "周一至周五 8:30-17:30",
    "无特殊要求",
    "提前一天预约",
    "仅限工作日",
    "7x24小时",
]
_NEEDS = [
    "设备定期维护",
    "延长质保期",
    "批量采购价格优惠",
    "提供操作培训",
    "加快交货周期",
    "开具增值税专用发票",
    "定制化包装",
    "系统对接接口",
    "备品备件储备",
    "上门安装调试",
    "月度对账",
    "技术方案支持",
]
_PREFERENCES = [
    "喜欢电话沟通",
    "邮件确认为准",
    "不接受周末来电",
    "需提前预约拜访",
    "重视响应速度",
    "关注价格",
    "偏好固定对接人",
    "要求书面报告",
    "微信沟通更方便",
    "上午联系为宜",
]

_STAFF = ["周建华", "李晓燕", "王志强", "陈丽娟", "刘洋", "赵敏", "孙浩", "吴婷", "郑伟", "黄静", "马超", "林佳"]
_APPROVERS = ["张国栋", "钱文华", "沈丽萍"]
_OVERRIDE_REASONS = [
    "战略合作客户",
    "集团重点项目",
    "长期拖欠货款",
    "董事会指定重点客户",
    "试点合作",
    "年度框架协议",
    "投诉频繁需关注",
]

_DEPARTMENT_HANDLERS = {
    "客服部": ["许静", "唐磊", "韩雪"],
    "售后服务部": ["冯刚", "曹丽", "彭浩"],
    "技术支持部": ["曾志鹏", "肖辉", "田宇"],
    "质量管理部": ["董建国", "潘玲"],
    "物流部": ["蒋斌", "蔡红"],
    "财务部": ["余文"],
    "法务部": ["杜思"],
}

_PRODUCTS = [
    "数控机床",
    "打印设备",
    "空气净化器",
    "工业传感器",
    "办公软件",
    "服务器",
    "冷链运输箱",
    "智能门锁",
    "叉车",
    "监控摄像头",
    "净水设备",
    "电源模块",
    "ERP系统",
    "扫码枪",
    "空调机组",
]
_SYMPTOMS = [
    "无法开机",
    "频繁死机",
    "噪音过大",
    "漏水",
    "数据不同步",
    "报错无法登录",
    "温度控制失灵",
    "运行缓慢",
    "部件松动",
    "显示屏花屏",
]

# request type -> subcategory -> (category or None, departments with weights, description templates,
#                                  solution templates)
_SUBCATEGORIES = {
    "客户投诉": {
        "服务体验": (["客服部", "售后服务部"], [3, 2]),
        "产品问题": (["质量管理部", "技术支持部", "售后服务部"], [3, 2, 2]),
        "政策误解": (["客服部", "财务部"], [3, 1]),
        "物流配送": (["物流部"], [1]),
        "账单费用": (["财务部", "客服部"], [3, 1]),
    },
    "内部投诉": {
        "员工行为": (["客服部", "售后服务部"], [1, 1]),
        "操作失误": (["售后服务部", "物流部", "财务部"], [2, 1, 1]),
    },
    "系统性投诉": {
        "流程缺陷": (["客服部", "质量管理部"], [1, 1]),
        "系统问题": (["技术支持部"], [1]),
    },
    "特殊投诉": {
        "法律纠纷": (["法务部"], [1]),
        "隐私泄露": (["法务部", "技术支持部"], [2, 1]),
        "道德问题": (["法务部", "客服部"], [1, 1]),
    },
}
_SUB_WEIGHTS = {
    "客户投诉": [30, 35, 10, 15, 10],
    "内部投诉": [55, 45],
    "系统性投诉": [50, 50],
    "特殊投诉": [40, 35, 25],
}
_FAULT_SUBS = {
    "设备故障": (["售后服务部", "技术支持部"], [3, 2]),
    "系统故障": (["技术支持部"], [1]),
    "软件异常": (["技术支持部"], [1]),
}
_SERVICE_SUBS = {
    "安装调试": (["售后服务部"], [1]),
    "操作培训": (["技术支持部", "售后服务部"], [1, 1]),
    "技术咨询": (["技术支持部"], [1]),
    "资料申请": (["客服部"], [1]),
    "上门维护": (["售后服务部"], [1]),
}

_DESCRIPTIONS = {
    "服务体验": [
        "客户反映客服电话多次无人接听，等待时间过长，对服务态度不满。",
        "客户称上门服务人员迟到{n}小时且未提前告知。",
        "客户反映多次咨询{product}问题，每次答复不一致。",
    ],
    "产品问题": [
        "客户反映{product}使用{n}天后出现{symptom}，要求退换。",
        "客户收到的{product}外观有划痕，部分配件缺失。",
        "客户称{product}{symptom}，影响正常生产。",
    ],
    "政策误解": [
        "客户对退换货政策理解有误，认为超过{n}天仍可无理由退货。",
        "客户对保修范围有疑问，认为{product}人为损坏也应免费维修。",
    ],
    "物流配送": [
        "订单{order}延迟{n}天未送达，客户催促。",
        "客户收到的{product}包装破损，疑似运输途中损坏。",
        "订单{order}配送地址错误，货物被退回。",
    ],
    "账单费用": [
        "客户反映订单{order}重复扣款。",
        "客户对本月账单中的服务费有异议，要求提供明细。",
        "发票抬头开具错误，客户要求重开。",
    ],
    "员工行为": ["客户投诉销售人员承诺的优惠未兑现。", "客户反映工作人员沟通时语气生硬。"],
    "操作失误": ["订单{order}发错型号，应为{product}。", "售后登记时遗漏客户的维修要求，导致重复上门。"],
    "流程缺陷": ["退款审批环节过多，客户{n}天仍未收到退款。", "报修需在多个部门之间重复说明情况，客户不满。"],
    "系统问题": ["客户门户网站无法查询订单{order}的物流信息。", "线上报修系统提交后无回执。"],
    "法律纠纷": ["客户称{product}质量问题造成损失，拟通过律师索赔。", "客户就合同违约条款提出异议，要求法务答复。"],
    "隐私泄露": ["客户反映其联系方式被泄露，频繁接到推销电话。"],
    "道德问题": ["客户举报工作人员私下收取费用。"],
    "设备故障": [
        "客户的{product}{symptom}，生产线停工，请求紧急处理。",
        "{product}突发{symptom}，客户要求立即派人到场。",
    ],
    "系统故障": ["客户反映{product}{symptom}，全部门无法使用。", "{product}服务器宕机，客户业务中断。"],
    "软件异常": ["{product}升级后{symptom}。", "客户使用{product}时{symptom}，需远程排查。"],
    "安装调试": ["客户新购{product}需安排上门安装调试。", "客户申请{product}搬迁后重新调试。"],
    "操作培训": ["客户新员工需要{product}操作培训。", "客户申请{product}高级功能培训。"],
    "技术咨询": ["客户咨询{product}与现有系统的兼容性。", "客户咨询{product}节能参数设置。"],
    "资料申请": ["客户申请{product}的合格证及检测报告。", "客户需要订单{order}的验收资料。"],
    "上门维护": ["客户申请{product}季度例行维护。", "客户要求对{product}进行全面检修。"],
}
_SOLUTIONS = [
    "已向客户致歉并说明原因，客户表示理解。",
    "已安排技术人员上门维修，设备恢复正常。",
    "已为客户办理退换货。",
    "已补发缺失配件并承担运费。",
    "已核实并退还多收费用。",
    "已重新开具发票并快递给客户。",
    "已远程协助排查，问题已解决。",
    "已完成培训并提供操作手册。",
    "已对相关人员进行批评教育，并向客户书面道歉。",
    "已优化流程并告知客户改进措施。",
    "已与客户协商达成补偿方案。",
    "已提供所需资料。",
]

_CHANNELS = ["电话", "邮件", "在线", "现场", "书面"]
_CHANNEL_WEIGHTS = [45, 20, 25, 7, 3]
_PRIORITIES = ["紧急重要", "重要不紧急", "紧急不重要", "不紧急不重要"]
_PRIORITY_WEIGHTS = [8, 35, 20, 37]
_SATISFACTION_WEIGHTS = [3, 5, 12, 30, 50]  # scores 1..5, mean about 4.2

_NOW_TIME = time(18, 0)  # the snapshot is taken at 18:00 on `end`


class _Picker:
    """Fast weighted choice with precomputed cumulative weights."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rnd) -> Any:
        return self.items[bisect_right(self.cum, rnd() * self.total)]


def _fast(rng: random.Random):
    """random(), randint() and choice() on `rng` - the library's versions are slow in tight loops."""
    rnd = rng.random

    def randint(a: int, b: int) -> int:
        return a + int(rnd() * (b - a + 1))

    def choice(seq):
        return seq[int(rnd() * len(seq))]

    return rnd, randint, choice


# ------------------------------------------------------------------------------------ generate


def generate(
    customers: int = 500,
    complaints: int = 3000,
    *,
    seed: int = 7,
    end: date = date(2026, 11, 20),
    months: int = 18,
    messy: bool = True,
) -> SampleData:
    """Generate `customers` register records and `complaints` tracker records (see module doc)."""
    if customers < 1 and complaints > 0:
        raise ValueError("complaints need at least one customer")
    if customers < 0 or complaints < 0 or months < 1:
        raise ValueError("counts must not be negative and months must be at least 1")
    rng = random.Random(seed)
    now = datetime.combine(end, _NOW_TIME)
    register = _customers(rng, customers, end)
    tracker = _complaints(rng, complaints, register, end, now, months)
    mess: list[Mess] = []
    if messy:
        mess = _add_mess(rng, register, tracker)
    return SampleData(register, tracker, mess)


def _person(rnd, choice, surnames: _Picker) -> tuple[str, str]:
    s, sp = surnames(rnd)
    g1, p1 = choice(_GIVEN)
    if rnd() < 0.6:
        g2, p2 = choice(_GIVEN)
        return s + g1 + g2, sp + "." + p1 + p2
    return s + g1, sp + "." + p1


def _customers(rng: random.Random, n: int, end: date) -> list[dict]:
    rnd, randint, choice = _fast(rng)
    surnames = _Picker([(s, p) for s, p, _ in _SURNAMES], [w for *_, w in _SURNAMES])
    cities = _Picker(list(_CITIES), _CITY_WEIGHTS)
    industries = _Picker(list(_INDUSTRIES), _INDUSTRY_WEIGHTS)
    titles = _Picker(_TITLES, _TITLE_WEIGHTS)
    sizes = _Picker(["微型", "小型", "中型", "大型"], [15, 40, 30, 15])
    channels = _Picker(["电话", "邮件", "上门拜访"], [55, 30, 15])
    sources = _Picker(["线上推广", "展会", "转介绍", "其他"], [35, 25, 30, 10])
    owners = _Picker(_STAFF, [14, 12, 11, 10, 9, 9, 8, 7, 6, 6, 4, 4])

    # First contact dates: IDs are given in order of first contact, more customers in recent years.
    span = 8 * 365
    first = sorted(end - timedelta(days=int(span * (1 - rnd() ** 0.75)) + 1) for _ in range(n))
    odd_at = set(rng.sample(range(n), min(len(_ODD_NAMES), n // 50))) if n >= 50 else set()
    odd_names = iter(_ODD_NAMES)
    used_names: set[str] = set()
    records = []
    revenues = []
    for i in range(n):
        city = cities(rnd)
        industry = industries(rnd)
        trade = choice(_INDUSTRIES[industry])
        if i in odd_at:
            name, pinyin = next(odd_names), "ab"
        else:
            for attempt in range(20):
                (c1, q1), (c2, q2) = choice(_NAME_CHARS), choice(_NAME_CHARS)
                if c1 == c2:
                    continue
                name = f"{city}{c1}{c2}{trade}有限公司"
                if attempt > 10:
                    name = f"{city}{c1}{c2}{trade}({choice(_CITIES[city])[:2]})有限公司"
                if name not in used_names:
                    break
            used_names.add(name)
            pinyin = q1 + q2
        person, person_py = _person(rnd, choice, surnames)
        r = rnd()
        if r < 0.55:
            email = f"{person_py}@{pinyin}.com"
        elif r < 0.75:
            email = f"{person_py}@{pinyin}.com.cn"
        elif r < 0.9:
            email = f"{person_py.replace('.', '')}{randint(1, 999)}@{choice(_MAIL_HOSTS)}"
        else:
            email = None
        addr_city = city if rnd() < 0.9 else cities(rnd)
        number = randint(1, 1200)
        if rnd() < 0.4:
            address = f"{addr_city}市{choice(_CITIES[addr_city])}{choice(_ROADS)}{number}号{choice(_ROADS)[:2]}{choice(_BUILDINGS)}{randint(2, 28)}层"
        else:
            address = f"{addr_city}市{choice(_CITIES[addr_city])}{choice(_ROADS)}{number}号"

        first_contact = first[i]
        age_days = (end - first_contact).days
        # Orders: a long tail - a few customers order a lot.
        if rnd() < 0.15:
            orders = 0
        else:
            orders = min(int(rng.paretovariate(1.2)) - 1 + randint(0, 3), 600)
        if age_days < 365:
            orders = int(orders * age_days / 365)
        revenue = Decimal("0.00")
        if orders:
            revenue = Decimal(round(orders * rng.lognormvariate(8.7, 0.9), 2)).quantize(Decimal("0.01"))
        revenues.append(revenue)
        last_order = None
        if orders:
            window = min(365, age_days)
            last_order = end - timedelta(days=min(window, int(rng.expovariate(1 / max(5, 120 / orders**0.5)))))
        elif age_days > 400 and rnd() < 0.7:
            last_order = end - timedelta(days=randint(366, min(age_days, 1100)))
        r = rnd()
        if r < 0.7:
            last_visit = end - timedelta(days=randint(0, 100))
        elif r < 0.88:
            last_visit = end - timedelta(days=randint(100, 400))
        elif r < 0.95:
            last_visit = end - timedelta(days=randint(400, 900))  # long ago
        else:
            last_visit = None
        if last_visit is not None and last_visit < first_contact:
            last_visit = first_contact + timedelta(days=randint(0, max(0, age_days // 3))) if rnd() < 0.6 else None

        records.append(
            {
                "customer_id": f"C{i + 1:05d}",
                "name": name,
                "industry": industry,
                "company_size": sizes(rnd),
                "contact_person": person,
                "contact_title": titles(rnd),
                "phone": f"1{choice('3456789')}{randint(0, 999_999_999):09d}",
                "email": email,
                "address": address,
                "preferred_channel": channels(rnd),
                "service_time": choice(_SERVICE_TIMES) if rnd() < 0.7 else None,
                "customer_type": None,  # below, once revenue ranks are known
                "source_channel": sources(rnd),
                "account_owner": owners(rnd),
                "first_contact_date": first_contact,
                "orders_12m": orders,
                "revenue_12m": revenue,
                "last_order_date": last_order,
                "last_visit_date": last_visit,
                "needs": "；".join(rng.sample(_NEEDS, randint(1, 2))) if rnd() < 0.6 else None,
                "preferences": choice(_PREFERENCES) if rnd() < 0.5 else None,
                "tier_override": None,
                "override_reason": None,
                "override_approver": None,
                "override_expires": None,
            }
        )

    # Customer type: new / high-value (top ~8% by revenue) / existing, with a few typed wrongly.
    ranked = sorted(revenues, reverse=True)
    threshold = ranked[max(0, len(ranked) * 8 // 100 - 1)] if ranked else Decimal(0)
    for rec in records:
        if (end - rec["first_contact_date"]).days < 180:
            kind = "新客户"
        elif rec["revenue_12m"] >= threshold and rec["revenue_12m"] > 0:
            kind = "高价值客户"
        else:
            kind = "老客户"
        if rnd() < 0.03:
            kind = choice(["新客户", "老客户", "高价值客户"])
        rec["customer_type"] = kind

    # A few manual tier overrides, some already expired.
    for i in rng.sample(range(n), max(1, n // 50) if n >= 10 else 0):
        rec = records[i]
        rec["tier_override"] = choice(["A", "A", "A", "B", "B", "C"])
        rec["override_reason"] = choice(_OVERRIDE_REASONS)
        rec["override_approver"] = choice(_APPROVERS)
        rec["override_expires"] = end + timedelta(days=randint(-150, 330))
    return records


# Timestamps inside the generator are whole minutes counted from a Monday; weekday = day % 7.
_EPOCH = datetime(2000, 1, 3)
_EPOCH_ORD = _EPOCH.toordinal()
_OPEN, _CLOSE = 8 * 60 + 30, 18 * 60 + 30  # office hours 8:30-18:30


def _minutes(dt: datetime) -> int:
    return (dt.toordinal() - _EPOCH_ORD) * 1440 + dt.hour * 60 + dt.minute


def _add_working_days(day: int, k: int) -> int:
    while k > 0:
        day += 1
        if day % 7 < 5:
            k -= 1
    return day


def _office(x: int, randint) -> int:
    """`x` if in office hours (Mon-Fri 8:30-18:30), else 9:00-9:59 on the next working morning."""
    day, t = divmod(x, 1440)
    wd = day % 7
    if wd < 5 and _OPEN <= t < _CLOSE:
        return x
    if wd >= 5 or t >= _CLOSE:
        day += 1
        while day % 7 >= 5:
            day += 1
    return day * 1440 + 540 + randint(0, 59)


class _Clock:
    """Minutes to datetimes, with the dates cached (there are only a few hundred of them)."""

    def __init__(self):
        self.days: dict[int, tuple[int, int, int]] = {}

    def __call__(self, x: int | None) -> datetime | None:
        if x is None:
            return None
        day, t = divmod(x, 1440)
        ymd = self.days.get(day)
        if ymd is None:
            d = date.fromordinal(_EPOCH_ORD + day)
            ymd = self.days[day] = (d.year, d.month, d.day)
        h, mi = divmod(t, 60)
        return datetime(ymd[0], ymd[1], ymd[2], h, mi)

    def date(self, day: int) -> date:
        return date.fromordinal(_EPOCH_ORD + day)


def _complaints(rng: random.Random, n: int, register: list[dict], end: date, now: datetime, months: int) -> list[dict]:
    if n == 0:
        return []
    rnd, randint, choice = _fast(rng)
    y, m = end.year, end.month - months
    while m < 1:
        m += 12
        y -= 1
    start = date(y, m, min(end.day, 28))
    first_day = start.toordinal() - _EPOCH_ORD
    ndays = (end - start).days + 1
    now_m = _minutes(now)
    # Weekends are quiet; volumes grow a little over the period.
    day_weights = [(1.0 if (first_day + k) % 7 < 5 else 0.22) * (0.8 + 0.4 * k / ndays) for k in range(ndays)]
    day_cum = list(accumulate(day_weights))
    total = day_cum[-1]
    hours = _Picker(range(24), [0, 0, 0, 0, 0, 0, 0, 1, 4, 10, 12, 11, 6, 9, 11, 11, 10, 8, 4, 3, 2, 2, 1, 0])
    received = []
    for _ in range(n):
        base = (first_day + bisect_right(day_cum, rnd() * total)) * 1440
        x = base + hours(rnd) * 60 + randint(0, 59)
        if x > now_m:
            x = base + randint(8 * 60, 17 * 60 + 59)
        received.append(x)
    received.sort()

    # Customers: bigger customers complain more; nobody complains before their first contact.
    cust_weights = [1 + (r["orders_12m"] or 0) ** 0.6 for r in register]
    cust_cum = list(accumulate(cust_weights))
    cust_total = cust_cum[-1]
    first_contact = [r["first_contact_date"].toordinal() - _EPOCH_ORD for r in register]
    old_customers = [i for i, d in enumerate(first_contact) if d <= first_day] or list(range(len(register)))

    types = _Picker(["投诉", "服务需求", "故障"], [60, 30, 10])
    categories = _Picker(list(_SUBCATEGORIES), [75, 12, 10, 3])
    channels = _Picker(_CHANNELS, _CHANNEL_WEIGHTS)
    priorities = _Picker(_PRIORITIES, _PRIORITY_WEIGHTS)
    satisfaction = _Picker([1, 2, 3, 4, 5], _SATISFACTION_WEIGHTS)
    sub_pickers = {cat: _Picker(list(subs.items()), _SUB_WEIGHTS[cat]) for cat, subs in _SUBCATEGORIES.items()}
    fault_subs = _Picker(list(_FAULT_SUBS.items()), [5, 3, 2])
    service_subs = _Picker(list(_SERVICE_SUBS.items()), [3, 2, 3, 1, 2])
    dept_pickers: dict[tuple, _Picker] = {}
    clock = _Clock()
    promised_dates: dict[int, date] = {}

    seq: dict[int, int] = {}
    out = []
    for rec_x in received:
        received_at = clock(rec_x)
        assert received_at is not None
        year = received_at.year
        seq[year] = seq.get(year, 0) + 1
        day = rec_x // 1440
        for _ in range(5):
            ci = bisect_right(cust_cum, rnd() * cust_total)
            if first_contact[ci] <= day:
                break
        else:
            ci = choice(old_customers)

        rtype = types(rnd)
        if rtype == "投诉":
            category = categories(rnd)
            sub, (depts, dweights) = sub_pickers[category](rnd)
            priority = choice(("紧急重要", "重要不紧急")) if category == "特殊投诉" else priorities(rnd)
        elif rtype == "故障":
            category = "客户投诉" if rnd() < 0.3 else None
            sub, (depts, dweights) = fault_subs(rnd)
            priority = "紧急重要" if rnd() < 0.95 else "重要不紧急"
        else:
            category = None
            sub, (depts, dweights) = service_subs(rnd)
            priority = priorities(rnd)
        dept_pick = dept_pickers.get(sub)
        if dept_pick is None:
            dept_pick = dept_pickers[sub] = _Picker(depts, dweights)
        department = dept_pick(rnd)
        handler = choice(_DEPARTMENT_HANDLERS[department])
        description = choice(_DESCRIPTIONS[sub]).format(
            product=choice(_PRODUCTS),
            symptom=choice(_SYMPTOMS),
            n=randint(2, 15),
            order=f"DD{received_at:%Y%m%d}{randint(100, 999)}",
        )
        fault = rtype == "故障"

        # Expected completion: what the customer asked for (a promise - may lie after `end`).
        expected = None
        if rnd() < 0.6:
            expected = (day + (randint(0, 1) if fault else randint(1, 7))) * 1440 + choice((720, 1020, 1080))

        # The five steps. Recorded: mostly within hours, some late.
        r = rnd()
        if r < 0.8:
            recorded = rec_x + randint(2, 120)
        elif r < 0.95:
            recorded = rec_x + randint(120, 1380)
        else:
            recorded = rec_x + randint(1440, 4320)  # late (over 24 h)
        if not fault and rnd() < 0.85:
            recorded = _office(recorded, randint)
        # Responded.
        if fault:
            responded = recorded + (randint(5, 110) if rnd() < 0.9 else randint(120, 480))
        else:
            r = rnd()
            if r < 0.75:
                responded = recorded + randint(10, 240)
            elif r < 0.95:
                responded = recorded + randint(480, 1800)
            else:
                responded = recorded + randint(2880, 7200)  # late (over 48 h)
            if rnd() < 0.9:
                responded = _office(responded, randint)
        # Waiting on the customer (e.g. for photos, an on-site appointment).
        wait_start = wait_end = None
        if rnd() < (0.05 if now_m - rec_x > 20160 else 0.15):  # more among the last two weeks' cases
            wait_start = _office(responded + randint(30, 1440), randint)
            wait_end = _office(wait_start + randint(1, 10) * 1440 + randint(0, 480), randint)
        # Resolved.
        base = wait_end or responded
        if rnd() < 0.03:
            resolved = None  # stuck, whatever its age
        elif fault:
            resolved = base + (randint(30, 1200) if rnd() < 0.85 else randint(1200, 4320))
        else:
            r = rnd()
            if r < 0.55:
                resolved = base + randint(20, 240)
            elif r < 0.88:
                resolved = base + randint(240, 1440)
            elif r < 0.97:
                resolved = base + randint(3, 10) * 1440 + randint(0, 480)  # late
            else:
                resolved = base + randint(10, 30) * 1440
            if rnd() < 0.9:
                resolved = _office(resolved, randint)
        # Feedback 1-5 working days after resolution, closed then, survey 1-3 days after closing.
        feedback = closed = survey = None
        if resolved is not None:
            feedback = _add_working_days(resolved // 1440, randint(1, 5)) * 1440 + randint(540, 1079)
            closed = feedback + randint(5, 120) if rnd() < 0.7 else _office(feedback + randint(1, 2) * 1440, randint)
            if rnd() < 0.85:
                survey = _office(closed + randint(1, 3) * 1440 + randint(-120, 120), randint)
        # Not settled the same day: the customer is told (mostly the same day) when it will be.
        settlement_told = promised = None
        if (resolved is None or resolved // 1440 != day) and rnd() < 0.75:
            if rnd() < 0.85:
                told_from = responded if responded // 1440 == day else recorded
                settlement_told = max(recorded, told_from) + randint(10, 90)
            else:
                settlement_told = _office(rec_x + randint(20, 40) * 60, randint)  # told late
            promised = (
                resolved // 1440 if resolved is not None and rnd() < 0.75 else _add_working_days(day, randint(1, 5))
            )

        # Cut at the snapshot: whatever lies after `now` has not happened yet.
        if recorded > now_m:
            recorded = None
        if recorded is None or responded > now_m:
            responded = None
        if settlement_told is not None and (recorded is None or settlement_told > now_m):
            settlement_told = promised = None
        if responded is None or (wait_start is not None and wait_start > now_m):
            wait_start = wait_end = None
        if wait_end is not None and wait_end > now_m:
            wait_end = None
        if (
            responded is None
            or (wait_start is not None and wait_end is None)
            or (resolved is not None and resolved > now_m)
        ):
            resolved = None
        if resolved is None or feedback is None or feedback > now_m:
            feedback = None
        if feedback is None or closed is None or closed > now_m:
            closed = None
        if closed is None or (survey is not None and survey > now_m):
            survey = None

        if closed is not None:
            status = "已关闭"
        elif resolved is not None:
            status = "已解决"
        elif wait_start is not None and wait_end is None:
            status = "待客户回复"
        elif responded is not None:
            status = "处理中"
        else:
            status = "待处理"
        if promised is not None:
            p = promised_dates.get(promised)
            if p is None:
                p = promised_dates[promised] = clock.date(promised)
            promised = p

        out.append(
            {
                "complaint_id": f"TS{year}-{seq[year]:06d}",
                "received_at": received_at,
                "channel": channels(rnd),
                "customer_id": register[ci]["customer_id"],
                "request_type": rtype,
                "description": description,
                "category": category,
                "subcategory": sub,
                "priority": priority,
                "department": department,
                "handler": handler,
                "expected_completion": clock(expected),
                "status": status,
                "recorded_at": clock(recorded),
                "responded_at": clock(responded),
                "settlement_told_at": clock(settlement_told),
                "promised_date": promised,
                "resolved_at": clock(resolved),
                "feedback_at": clock(feedback),
                "closed_at": clock(closed),
                "survey_at": clock(survey),
                "wait_started_at": clock(wait_start),
                "wait_ended_at": clock(wait_end),
                "solution": choice(_SOLUTIONS) if resolved is not None else None,
                "satisfaction": satisfaction(rnd) if survey is not None else None,
            }
        )
    return out


# ------------------------------------------------------------------------------------ mess


def _date_text(value: date, rng: random.Random) -> str:
    """A date or datetime as staff type it by hand (always readable, never ambiguous)."""
    y, m, d = value.year, value.month, value.day
    if isinstance(value, datetime):
        hm = f"{value.hour}:{value.minute:02d}"
        return rng.choice(
            (
                f"{y}/{m}/{d} {hm}",
                f"{y}年{m}月{d}日 {hm}",
                f"{y}.{m}.{d} {hm}",
                f"{y}-{m:02d}-{d:02d} {value.hour:02d}:{value.minute:02d}",
            )
        )
    return rng.choice((f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}.{m}.{d}"))


def _typo(cid: str, rng: random.Random, known: set[str], top: int) -> str:
    """A customer ID mistyped so that it matches no customer, even after trimming."""
    digits = cid[1:]
    for _ in range(20):
        r = rng.random()
        if r < 0.4 and "0" in digits:
            k = rng.choice([i for i, ch in enumerate(digits) if ch == "0"])
            bad = "C" + digits[:k] + "O" + digits[k + 1 :]  # letter O for zero: C0O123
        elif r < 0.7:
            k = rng.randrange(len(digits))
            bad = "C" + digits[:k] + digits[k + 1 :]  # a digit left out
        else:
            bad = f"C{rng.randint(top + 1, top + 900):05d}"  # a number not given yet
        if bad not in known and bad.upper() != cid:
            return bad
    return cid + "X"


def _add_mess(rng: random.Random, register: list[dict], tracker: list[dict]) -> list[Mess]:
    mess: list[Mess] = []
    known = {r["customer_id"] for r in register}

    # Register: two customers entered twice (same ID and name, another contact).
    if len(register) >= 10:
        for src, dup in zip(
            rng.sample(range(len(register) // 2), 2), rng.sample(range(len(register) // 2, len(register)), 2)
        ):
            orig = register[src]
            lost = register[dup]["customer_id"]
            for rec in tracker:  # that customer's complaints were filed under the first entry
                if rec["customer_id"] == lost:
                    rec["customer_id"] = orig["customer_id"]
            register[dup].update(
                {
                    k: orig[k]
                    for k in ("customer_id", "name", "industry", "address", "first_contact_date", "source_channel")
                }
            )
            mess.append(Mess("customers", dup, "customer_id", "duplicate_id", orig["customer_id"]))
        known = {r["customer_id"] for r in register}

    # Register: about 1% of records with a date typed as text.
    candidates = [i for i in range(len(register))]
    for i in rng.sample(candidates, max(1, len(register) // 100) if register else 0):
        rec = register[i]
        cols = [c for c in CUSTOMER_DATE_COLUMNS if rec[c] is not None]
        if cols:
            col = rng.choice(cols)
            rec[col] = _date_text(rec[col], rng)
            mess.append(Mess("customers", i, col, "date_as_text", rec[col]))

    n = len(tracker)
    if n == 0:
        return mess
    k_unknown = max(1, n // 100)
    k_space = max(1, n // 200)
    k_text = max(1, n // 100)
    k_unreadable = 3 if n >= 3 else n
    picks = rng.sample(range(n), min(n, k_unknown + k_space + k_text + k_unreadable))
    unknown, picks = picks[:k_unknown], picks[k_unknown:]
    spaced, picks = picks[:k_space], picks[k_space:]
    texted, unreadable = picks[:k_text], picks[k_text:]

    for i in unknown:
        rec = tracker[i]
        rec["customer_id"] = _typo(rec["customer_id"], rng, known, len(register))
        mess.append(Mess("complaints", i, "customer_id", "unknown_customer", rec["customer_id"]))
    for j, i in enumerate(spaced):
        rec = tracker[i]
        col = "customer_id" if j % 2 == 0 else "complaint_id"
        rec[col] = rec[col] + rng.choice((" ", "  ", "\u3000"))  # trailing (also full-width) spaces
        mess.append(Mess("complaints", i, col, "stray_space", rec[col]))
    for i in texted:
        rec = tracker[i]
        cols = [c for c in COMPLAINT_DATETIME_COLUMNS + COMPLAINT_DATE_COLUMNS if rec[c] is not None]
        col = rng.choice(cols)
        rec[col] = _date_text(rec[col], rng)
        mess.append(Mess("complaints", i, col, "date_as_text", rec[col]))
    for j, i in enumerate(unreadable):
        rec = tracker[i]
        if j == 0:
            col, value = "satisfaction", "很好"
        elif j == 1:
            r = rec["received_at"]
            col, value = "received_at", f"{r.year}-02-30 {r.hour:02d}:{r.minute:02d}"
        else:
            col, value = "expected_completion", "尽快"
        rec[col] = value
        mess.append(Mess("complaints", i, col, "unreadable", value))
    return mess
