//! Dongsheng Community (东圣社区), Jincheng: the demo data. Names come from the news
//! report (see `shared/seed`); the rest is invented but plausible. Six months of joint
//! meetings and about sixty issues in every state, driven through the real workflow so
//! the timelines are what the product itself would have recorded.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use roundtable_core::meeting::first_sunday;
use roundtable_core::{
    Actor, Building, BuildingId, Community, CommunityId, Compound, CompoundId, GeoPoint, Issue, Meeting, MeetingId,
    MeetingStatus, NewIssue, OrgId, OrgKind, Organisation, Role, TransitionFields, TransitionRequest, Urgency, User,
    UserId, WaitingFor, WorkflowSet, apply,
};
use roundtable_store::{Db, StoreError, directory, issues, meetings};

use crate::auth::hash_password;
use crate::config::Config;

pub const DEMO_PASSWORD: &str = "demo1234";

/// The demo accounts: login, what they are.
pub const DEMO_ACCOUNTS: [(&str, &str); 8] = [
    ("secretary@dongsheng.example", "王俊勇 Wang Junyong — community party secretary, chairs the meeting"),
    ("supervisor@dongsheng.example", "张秀兰 Zhang Xiulan — owners' supervisory committee"),
    ("anshang@dongsheng.example", "李明 Li Ming — Anshang Property (Junyue Bay)"),
    ("xiean@dongsheng.example", "赵刚 Zhao Gang — Xie'an Property (Dingxiu Huacheng)"),
    ("grid@dongsheng.example", "梁新亮 Liang Xinliang — Gongyuan Li grid party branch secretary"),
    ("resident@dongsheng.example", "叶莉 Ye Li — Hongxi Villa owner and building leader"),
    ("admin@dongsheng.example", "系统管理员 — administrator"),
    (
        "street@dongsheng.example",
        "刘芳 Liu Fang — Development Zone street office (开发区街道): compares its communities",
    ),
];

const COMPOUNDS: [(&str, &str, &str); 5] = [
    ("君悦湾", "安尚物业", "anshang"),
    ("鼎秀华城", "谐安物业", "xiean"),
    ("沁馨苑", "沁园物业", "qinyuan"),
    ("鸿禧山庄", "鸿运物业", "hongyun"),
    ("公园里", "锦程物业", "jincheng"),
];

/// Where each compound's gate is (made up, in the east of Jincheng: about a kilometre apart).
pub const LOCATIONS: [(f64, f64); 5] =
    [(35.5012, 112.8601), (35.4958, 112.8702), (35.4895, 112.8655), (35.4840, 112.8580), (35.4930, 112.8530)];

/// (title, description, category)
const PROBLEMS: [(&str, &str, &str); 31] = [
    ("地下室漏水，墙皮洇水", "多名业主反映地下室漏水、墙皮洇水，雨后尤其严重。", "building"),
    ("电梯经常停运", "3号楼电梯一周内停运三次，老人上下楼困难。", "facilities"),
    ("小区路灯不亮", "东门到5号楼之间的路灯坏了半个月，晚上出行不安全。", "security"),
    ("垃圾清运不及时", "垃圾桶满溢，夏天气味很大，希望增加清运次数。", "environment"),
    ("地下车库被占用", "外来车辆长期占用业主车位，门岗不登记。", "parking"),
    ("楼道堆放杂物", "楼道内堆放纸箱和旧家具，存在消防隐患。", "security"),
    ("绿化带杂草丛生", "中心花园杂草长到半米高，蚊虫多。", "environment"),
    ("单元门禁损坏", "2单元门禁坏了，陌生人随意进出。", "security"),
    ("物业费公示不清", "希望物业公开上一年度物业费收支明细。", "property_fee"),
    ("楼顶防水层老化", "顶楼住户反映下雨天屋顶渗水。", "building"),
    ("快递柜占用消防通道", "快递柜摆放在消防通道上，消防车无法通行。", "security"),
    ("广场舞噪音扰民", "晚上九点后广场舞音响声音过大，影响休息。", "neighbourhood"),
    ("水压不足", "高层住户早晚用水高峰时水压不足。", "facilities"),
    ("充电桩数量不足", "电动车充电桩太少，有人私拉电线充电。", "parking"),
    ("监控探头失灵", "北门监控探头失灵，车辆剐蹭找不到责任人。", "security"),
    ("健身器材损坏", "儿童游乐区滑梯开裂，存在安全隐患。", "facilities"),
    ("雨水井堵塞", "下雨后南侧道路积水严重，雨水井堵塞。", "environment"),
    ("外墙瓷砖脱落", "6号楼外墙瓷砖有脱落，楼下行人有危险。", "building"),
    ("宠物粪便无人清理", "草坪上宠物粪便多，希望加强文明养犬宣传。", "neighbourhood"),
    ("消防栓无水", "检查发现部分消防栓无水，需尽快整改。", "security"),
    ("电梯困人", "周末电梯困人近一小时，救援电话无人接听。", "facilities"),
    ("停车位纠纷", "业主车位被邻居长期占用，协商无果。", "parking"),
    ("高空抛物", "楼下草坪多次发现从高层扔下的杂物，险些砸到孩子。", "security"),
    ("垃圾分类无人指导", "分类垃圾桶摆放后无人督导，混投严重。", "environment"),
    ("装修噪音超时", "有业主装修在晚上和周末施工，噪音很大。", "neighbourhood"),
    ("非机动车乱停乱放", "电动车停满楼门口，推婴儿车过不去。", "parking"),
    ("道闸故障", "北门道闸经常抬不起来，车辆排队到马路上。", "facilities"),
    ("化粪池外溢", "7号楼旁化粪池外溢，气味刺鼻。", "environment"),
    ("地面沉降开裂", "中心路段地面下沉开裂，雨天积水。", "building"),
    ("水箱清洗无记录", "二次供水水箱多年未见清洗记录。", "facilities"),
    ("公共收益不透明", "小区广告位、场地出租等公共收益去向不明。", "property_fee"),
];

/// How urgent a demo problem is: a danger to people is red, a failure that cannot wait
/// for the month's meeting yellow, the rest routine.
fn urgency_of(title: &str) -> Urgency {
    match title {
        "电梯困人" | "外墙瓷砖脱落" | "化粪池外溢" | "消防栓无水" => Urgency::Red,
        "电梯经常停运" | "单元门禁损坏" | "快递柜占用消防通道" | "雨水井堵塞" => {
            Urgency::Yellow
        }
        _ => Urgency::Routine,
    }
}

/// What a demo problem waits for once promised, if it needs more than the company: work
/// paid from the maintenance fund (the owners vote on it), or another party (暂缓).
fn waits_for(title: &str) -> Option<(WaitingFor, &'static str)> {
    match title {
        "水压不足" => {
            Some((WaitingFor::MaintenanceFund, "更换二次供水加压泵需动用专项维修资金，待业主表决和资金审批。"))
        }
        "充电桩数量不足" => {
            Some((WaitingFor::OtherParty, "新增充电桩需供电公司扩容，已报装，待供电公司勘察批复。"))
        }
        _ => None,
    }
}

/// Why the company a demo problem was handed to says it is not its own (申请退回), if it
/// does: the secretary has the request to decide.
fn not_its_own(title: &str) -> Option<&'static str> {
    match title {
        "装修噪音超时" => Some("夜间装修噪音属综合执法范围，物业已多次劝阻但无执法权，请转街道综合执法队处理。"),
        _ => None,
    }
}

/// Why the company says a demo problem it was handed is not its own, and why the
/// secretary finds it is (退回不成立), if it does: the comparison counts the request
/// turned down against the company.
fn its_own_after_all(title: &str) -> Option<(&'static str, &'static str)> {
    match title {
        "楼顶防水层老化" => Some((
            "屋面防水属开发商五年保修范围，请转开发商处理。",
            "经核实已过保修期，属物业维修范围；需动用维修资金的，由物业提出方案。",
        )),
        _ => None,
    }
}

/// What becomes of a demo issue: the state it ends in, and how it gets there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Raised,
    Rejected,
    Duplicate,
    Assigned,
    Committed,
    Resolved,
    Verified,
    /// Verified after a failed first check (reopened, fixed again).
    Reverified,
    /// Verified after its promise was broken: resolved weeks past its date.
    Late,
    /// Verified, its promise made only at the second meeting after it was assigned (the
    /// first asked for one): the comparison's response rate counts it against the company.
    PromisedLate,
}

/// The fate of demo issue `k` is `FATES[k % 10]`, as time and its urgency make it
/// ([`in_time`]).
const FATES: [Fate; 10] = [
    Fate::Verified,
    Fate::Verified,
    Fate::Resolved,
    Fate::Committed,
    Fate::Committed,
    Fate::Assigned,
    Fate::Raised,
    Fate::Reverified,
    Fate::Rejected,
    Fate::Duplicate,
];

/// What the months and its urgency make of an issue's fate, `heard` the meetings held
/// since it was raised: the demo shows a community whose meeting works — the month's new
/// issues in every state, the older ones dealt with but for the promises broken.
fn in_time(fate: Fate, urgency: Urgency, heard: usize, title: &str) -> Fate {
    use Fate::*;
    match fate {
        // An urgent problem is neither left for the meeting nor turned away: the
        // workflow's timers chase it within the day (red) or the week (yellow).
        Raised | Assigned | Committed | Rejected if urgency != Urgency::Routine => Verified,
        // Turned away only where there is a reason to (a dispute between neighbours).
        Rejected if not_for_the_meeting(title).is_none() => Verified,
        // A meeting that hears a raised issue has it checked on site, and the next has it
        // assigned; what two meetings heard is done (a fix waits a month at most for its
        // check); a company slow to promise did so at the second meeting, when asked again.
        Raised | Resolved if heard >= 2 => Verified,
        Assigned if heard >= 2 => PromisedLate,
        // A promise broken five meetings ago was kept late.
        Committed if heard >= 5 => Late,
        other => other,
    }
}

/// How fast an urgent problem is dealt with, as the workflow's timers ask
/// (`red_*`: within the day; `yellow_*`: within the working week).
#[derive(Clone, Copy)]
struct Pace {
    /// From raised to assigned.
    assign: TimeDelta,
    /// From assigned to promised (by the company, not waiting for the meeting).
    commit: TimeDelta,
    /// The promise's days.
    days: u64,
    /// From promised to resolved.
    resolve: TimeDelta,
}

fn urgent_pace(urgency: Urgency) -> Option<Pace> {
    match urgency {
        Urgency::Red => Some(Pace {
            assign: TimeDelta::hours(1),
            commit: TimeDelta::hours(3),
            days: 1,
            resolve: TimeDelta::hours(16),
        }),
        Urgency::Yellow => {
            Some(Pace { assign: TimeDelta::hours(4), commit: TimeDelta::days(1), days: 5, resolve: TimeDelta::days(3) })
        }
        Urgency::Routine => None,
    }
}

/// Why the secretary turns a demo problem away (不予受理), if it is not the meeting's.
fn not_for_the_meeting(title: &str) -> Option<&'static str> {
    match title {
        "宠物粪便无人清理" | "广场舞噪音扰民" | "停车位纠纷" | "装修噪音超时" => {
            Some("属于业主之间的民事纠纷，建议通过人民调解解决。")
        }
        "物业费公示不清" | "公共收益不透明" => {
            Some("经核实，物业已在小区公告栏公示上一年度收支明细，业主监督委员会已审核；提出人可到物业服务中心查阅。")
        }
        _ => None,
    }
}

pub struct Seeded {
    pub community: CommunityId,
    pub issues: usize,
    /// Held and closed.
    pub meetings: usize,
    /// Seeded on a first Sunday morning: that day's meeting is open.
    pub under_way: bool,
}

impl std::fmt::Display for Seeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} issues, {} past meetings", self.issues, self.meetings)?;
        if self.under_way {
            write!(f, "; today's meeting is under way (its agenda published, opened at 09:00)")?;
        }
        Ok(())
    }
}

/// The demo's communities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoCommunity {
    /// Dongsheng, of the news report: seeded into an empty database only.
    Dongsheng,
    /// West City (西城社区), Dongsheng's smaller neighbour in the same street office, so the
    /// street's comparison has two communities and a company serving both: seeded once,
    /// by `roundtable demo` on a new database (the tests' app keeps Dongsheng alone).
    WestCity,
}

/// Seeds `which` community unless the database has it (for Dongsheng: unless it has any
/// community). Returns `None` when there was nothing to do.
pub fn seed(
    db: &Db,
    workflows: &WorkflowSet,
    config: &Config,
    tz: Tz,
    now: DateTime<Utc>,
    which: DemoCommunity,
) -> Result<Option<Seeded>, String> {
    let (name, site): (&str, Seeding) = match which {
        DemoCommunity::Dongsheng => ("东圣社区", dongsheng),
        DemoCommunity::WestCity => ("西城社区", neighbour),
    };
    let conn = &mut *db.conn().map_err(|e| e.to_string())?;
    let known = directory::communities(conn).map_err(|e| e.to_string())?;
    let there = match which {
        DemoCommunity::Dongsheng => !known.is_empty(),
        DemoCommunity::WestCity => known.iter().any(|c| c.name == name),
    };
    if there {
        return Ok(None);
    }
    let wf = workflows.get(roundtable_core::workflow::DEFAULT_WORKFLOW).ok_or("the default workflow is not loaded")?;
    let hash = hash_password(DEMO_PASSWORD)?;
    let start = now - TimeDelta::days(190);
    let community = Community::new(name, tz, "zh-CN", start);
    let ground = Ground { wf, workflows, config, hash: &hash, tz, now, start, community: community.id };
    let seeded = roundtable_store::db::atomically(conn, |conn| {
        directory::insert_community(conn, &community)?;
        directory::set_street(conn, community.id, Some(STREET))?;
        site(conn, &ground)
    });
    let seeded = seeded.map_err(|e| e.to_string())?;
    // The demo's six months happened before anyone looks: their notices were read then.
    roundtable_store::notices::settle_all(conn).map_err(|e| e.to_string())?;
    Ok(Some(seeded))
}

/// What sets up one community of the demo, founded and in the street office, and lives
/// through its six months.
type Seeding = fn(&mut roundtable_store::DbConn, &Ground) -> Result<Seeded, StoreError>;

/// What each community of the demo is seeded on.
struct Ground<'a> {
    wf: &'a roundtable_core::Workflow,
    /// All of them, as the agenda job reads them.
    workflows: &'a WorkflowSet,
    config: &'a Config,
    hash: &'a str,
    tz: Tz,
    now: DateTime<Utc>,
    /// When the community was set up: a little over six months before `now`.
    start: DateTime<Utc>,
    community: CommunityId,
}

struct People {
    secretary: Actor,
    supervisor: Actor,
    /// Each compound's property company: the organisation, its person, its name.
    companies: Vec<(OrgId, Actor, &'static str)>,
    raisers: Vec<Vec<Actor>>,
    supporters: Vec<UserId>,
}

/// A community of the demo as it stands before its six months: what `live` needs.
struct Site<'a> {
    compounds: Vec<CompoundId>,
    buildings: Vec<Vec<BuildingId>>,
    people: People,
    /// Who comes to its meetings, for each organisation.
    attending: Vec<(OrgId, &'a str)>,
    /// How many issues it raises over the six months.
    issues: usize,
    /// Where in `PROBLEMS` its titles start, so a neighbour's are not Dongsheng's.
    first_problem: usize,
    /// Hours between two of its issues: spread over the six months.
    every_hours: i64,
}

/// Its compounds, six buildings each, at their gates.
fn places(
    conn: &mut roundtable_store::DbConn,
    cid: CommunityId,
    names: &[(&str, (f64, f64))],
    start: DateTime<Utc>,
) -> Result<(Vec<CompoundId>, Vec<Vec<BuildingId>>), StoreError> {
    let mut compounds = Vec::new();
    let mut buildings: Vec<Vec<BuildingId>> = Vec::new();
    for (name, (lat, long)) in names {
        let location = GeoPoint::new(*lat, *long);
        let c = Compound { id: CompoundId::new(), community: cid, name: (*name).into(), created_at: start, location };
        directory::insert_compound(conn, &c)?;
        let mut ids = Vec::new();
        for n in 1..=6 {
            let b = Building { id: BuildingId::new(), community: cid, compound: c.id, name: format!("{n}号楼") };
            directory::insert_building(conn, &b)?;
            ids.push(b.id);
        }
        compounds.push(c.id);
        buildings.push(ids);
    }
    Ok((compounds, buildings))
}

/// Registers an organisation of the community.
fn organisation(
    conn: &mut roundtable_store::DbConn,
    cid: CommunityId,
    kind: OrgKind,
    name: &str,
    emails: &[&str],
    compound: Option<CompoundId>,
    start: DateTime<Utc>,
) -> Result<OrgId, StoreError> {
    let o = Organisation {
        id: OrgId::new(),
        community: cid,
        kind,
        name: name.into(),
        contact_emails: emails.iter().map(|e| e.to_string()).collect(),
        compound,
        created_at: start,
    };
    directory::insert_organisation(conn, &o)?;
    Ok(o.id)
}

/// Makes the demo's accounts of one community, each with a mobile number of its own
/// (anyone can sign in with theirs; `serial` keeps them apart across communities).
struct Accounts<'h> {
    community: CommunityId,
    hash: &'h str,
    start: DateTime<Utc>,
    serial: u64,
}

impl Accounts<'_> {
    fn add(
        &mut self,
        conn: &mut roundtable_store::DbConn,
        login: &str,
        name: &str,
        roles: &[Role],
        orgs: Vec<OrgId>,
        compound: Option<CompoundId>,
    ) -> Result<Actor, StoreError> {
        self.serial += 1;
        let u = User {
            id: UserId::new(),
            community: self.community,
            login: login.into(),
            display_name: name.into(),
            email: Some(login.into()),
            phone: Some(format!("139{:08}", 20_000_000 + self.serial * 7919)),
            roles: roles.to_vec(),
            locale: None,
            compound,
            buildings: Vec::new(),
            organisations: orgs,
            disabled: false,
            created_at: self.start,
        };
        directory::insert_user(conn, &u, self.hash)?;
        directory::actor(conn, u.id)
    }
}

/// Dongsheng, of the news report: five compounds, their companies, the grid branches.
fn dongsheng(conn: &mut roundtable_store::DbConn, g: &Ground) -> Result<Seeded, StoreError> {
    let (cid, start) = (g.community, g.start);
    let named: Vec<(&str, (f64, f64))> = COMPOUNDS.iter().map(|c| c.0).zip(LOCATIONS).collect();
    let (compounds, buildings) = places(conn, cid, &named, start)?;

    let org = |conn: &mut _, kind, name: &str, emails: &[&str], compound| {
        organisation(conn, cid, kind, name, emails, compound, start)
    };
    let party = org(conn, OrgKind::PartyCommittee, "东圣社区大党委", &["party@dongsheng.example"], None)?;
    let rc = org(conn, OrgKind::ResidentsCommittee, "东圣社区党支部（居委会）", &["office@dongsheng.example"], None)?;
    let supervisory =
        org(conn, OrgKind::SupervisoryCommittee, "业主监督委员会", &["supervisors@dongsheng.example"], None)?;
    let mut companies = Vec::new();
    let mut grids = Vec::new();
    for (i, (compound, company, slug)) in COMPOUNDS.iter().enumerate() {
        let email = format!("{slug}@dongsheng.example");
        companies.push(org(conn, OrgKind::PropertyCompany, company, &[&email], Some(compounds[i]))?);
        grids.push(org(conn, OrgKind::GridBranch, &format!("{compound}网格党支部"), &[], Some(compounds[i]))?);
    }
    for unit in ["城区住建局", "晋城供电公司东圣营业所", "城区自来水公司"] {
        org(conn, OrgKind::Unit, unit, &[], None)?;
    }

    let mut accounts = Accounts { community: cid, hash: g.hash, start, serial: 0 };
    let mut person = |conn: &mut _, login: &str, name: &str, roles: &[Role], orgs, compound: Option<usize>| {
        accounts.add(conn, login, name, roles, orgs, compound.map(|i| compounds[i]))
    };
    let secretary = person(conn, "secretary@dongsheng.example", "王俊勇", &[Role::Secretary], vec![rc, party], None)?;
    person(conn, "admin@dongsheng.example", "系统管理员", &[Role::Admin], vec![rc], None)?;
    let supervisor =
        person(conn, "supervisor@dongsheng.example", "张秀兰", &[Role::Supervisor], vec![supervisory], Some(0))?;
    let mut company_staff = Vec::new();
    let staff_names = ["李明", "赵刚", "孙丽", "周强", "吴敏"];
    for (i, (_, name, slug)) in COMPOUNDS.iter().enumerate() {
        let login = format!("{slug}@dongsheng.example");
        let a = person(conn, &login, staff_names[i], &[Role::Property], vec![companies[i]], None)?;
        company_staff.push((companies[i], a, *name));
    }
    let liang = person(conn, "grid@dongsheng.example", "梁新亮", &[Role::Grid], vec![grids[4]], Some(4))?;
    let ye_li =
        person(conn, "resident@dongsheng.example", "叶莉", &[Role::Resident, Role::BuildingLeader], vec![], Some(3))?;
    person(conn, "street@dongsheng.example", "刘芳", &[Role::Street], vec![], None)?;
    let mut raisers: Vec<Vec<Actor>> = (0..5).map(|_| vec![supervisor.clone()]).collect();
    raisers[4].push(liang);
    let building_leader = ye_li.user;
    raisers[3].push(ye_li);
    let mut supporters = Vec::new();
    let surnames = ["刘", "陈", "杨", "黄", "王", "马", "郭", "何"];
    for (n, surname) in surnames.iter().enumerate() {
        let compound = n % 5;
        let login = format!("resident{}@dongsheng.example", n + 1);
        let a = person(conn, &login, &format!("{surname}女士"), &[Role::Resident], vec![], Some(compound))?;
        supporters.push(a.user);
        raisers[compound].push(a);
    }
    // Ye Li is the building leader (楼栋长) of Hongxi Villa's buildings 3 and 5.
    directory::set_buildings(conn, building_leader, cid, &[buildings[3][2], buildings[3][4]])?;
    let people = People { secretary, supervisor, companies: company_staff, raisers, supporters };
    // Who comes to the meeting: the party committee, the residents' committee, the
    // supervisory committee and every property company.
    let mut attending = vec![(party, "陈书记、王俊勇"), (rc, "刘主任"), (supervisory, "张秀兰、刘女士")];
    attending
        .extend(people.companies.iter().zip(["李明", "赵刚", "孙丽", "周强", "吴敏"]).map(|((o, _, _), n)| (*o, n)));
    let site = Site { compounds, buildings, people, attending, issues: 60, first_problem: 0, every_hours: 72 };
    live(conn, g, &site)
}

/// The demo's street office: Dongsheng and its neighbour belong to it.
const STREET: &str = "开发区街道";

/// The neighbour's compounds: the first kept by Anshang Property, as one of Dongsheng's is
/// (the street office sees the company across both), the second by a company of its own.
const NEIGHBOUR_COMPOUNDS: [(&str, &str, &str, (f64, f64)); 2] =
    [("锦绣花园", "安尚物业", "anshang", (35.5105, 112.8402)), ("泰和苑", "康居物业", "kangju", (35.5061, 112.8458))];

/// The neighbour's accounts: login, what they are (printed by `roundtable demo`).
pub const NEIGHBOUR_ACCOUNTS: [(&str, &str); 2] = [
    ("secretary@xicheng.example", "陈静 Chen Jing — 西城社区 (West City), the street's other community"),
    ("anshang@xicheng.example", "钱伟 Qian Wei — Anshang Property in West City (Jinxiu Garden)"),
];

/// West City: two compounds, 24 issues (see `DemoCommunity::WestCity`).
fn neighbour(conn: &mut roundtable_store::DbConn, g: &Ground) -> Result<Seeded, StoreError> {
    let (cid, start) = (g.community, g.start);
    let named: Vec<(&str, (f64, f64))> = NEIGHBOUR_COMPOUNDS.iter().map(|c| (c.0, c.3)).collect();
    let (compounds, buildings) = places(conn, cid, &named, start)?;
    let rc = organisation(
        conn,
        cid,
        OrgKind::ResidentsCommittee,
        "西城社区居委会",
        &["office@xicheng.example"],
        None,
        start,
    )?;
    let supervisory = organisation(conn, cid, OrgKind::SupervisoryCommittee, "业主监督委员会", &[], None, start)?;
    let mut accounts = Accounts { community: cid, hash: g.hash, start, serial: 100 };
    let secretary = accounts.add(conn, NEIGHBOUR_ACCOUNTS[0].0, "陈静", &[Role::Secretary], vec![rc], None)?;
    let supervisor = accounts.add(
        conn,
        "supervisor@xicheng.example",
        "赵凤英",
        &[Role::Supervisor],
        vec![supervisory],
        Some(compounds[0]),
    )?;
    let mut companies = Vec::new();
    let mut attending = vec![(rc, "陈静"), (supervisory, "赵凤英")];
    for (i, ((_, company, slug, _), staff)) in NEIGHBOUR_COMPOUNDS.iter().zip(["钱伟", "郑涛"]).enumerate() {
        let email = format!("{slug}@xicheng.example");
        let org = organisation(conn, cid, OrgKind::PropertyCompany, company, &[&email], Some(compounds[i]), start)?;
        let a = accounts.add(conn, &email, staff, &[Role::Property], vec![org], None)?;
        companies.push((org, a, *company));
        attending.push((org, staff));
    }
    let mut raisers: Vec<Vec<Actor>> = vec![vec![supervisor.clone()], vec![supervisor.clone()]];
    let mut supporters = Vec::new();
    for (n, surname) in ["孙", "朱", "林", "高"].iter().enumerate() {
        let login = format!("resident{}@xicheng.example", n + 1);
        let compound = n % compounds.len();
        let a = accounts.add(
            conn,
            &login,
            &format!("{surname}先生"),
            &[Role::Resident],
            vec![],
            Some(compounds[compound]),
        )?;
        supporters.push(a.user);
        raisers[compound].push(a);
    }
    let people = People { secretary, supervisor, companies, raisers, supporters };
    let site = Site { compounds, buildings, people, attending, issues: 24, first_problem: 7, every_hours: 180 };
    live(conn, g, &site)
}

/// The community's six months: the meetings on their first Sundays and its issues raised
/// every few days, each driven to its fate — recorded in time order, so each agenda is
/// planned from the tracker as it stood then.
fn live(conn: &mut roundtable_store::DbConn, g: &Ground, site: &Site) -> Result<Seeded, StoreError> {
    let (wf, config, tz, now, start) = (g.wf, g.config, g.tz, g.now, g.start);
    let (cid, people) = (g.community, &site.people);
    // Past meetings: the last six first Sundays at 09:00 that are over, all held and
    // closed — six on any day, the evening of a first Sunday too (then that day's is the
    // sixth, and the earliest after the community's start is left out). On a first
    // Sunday morning, that day's meeting is under way: its agenda published, opened at
    // its start, for whoever tries the demo to hold it.
    let mut over = Vec::new();
    let mut under_way = None;
    let mut month = start.with_timezone(&tz).date_naive().with_day(1).unwrap_or(start.date_naive());
    while let Some(slot) = first_sunday(month.year(), month.month()) {
        let starts = tz.from_local_datetime(&slot.and_hms_opt(9, 0, 0).unwrap_or_default()).earliest();
        match starts.map(|s| s.with_timezone(&Utc)) {
            Some(s) if s + TimeDelta::hours(3) < now => {
                if s > start {
                    over.push((slot, s));
                }
            }
            Some(s) if s <= now && s > start => {
                under_way = Some((slot, s));
                break;
            }
            _ => break,
        }
        month = match month.checked_add_months(Months::new(1)) {
            Some(m) => m,
            None => break,
        };
    }
    let mut held = Vec::new();
    let mut today = None;
    let last_six = over.split_off(over.len().saturating_sub(6));
    for ((slot, s), now_on) in last_six.into_iter().map(|o| (o, false)).chain(under_way.map(|o| (o, true))) {
        let m = Meeting {
            id: MeetingId::at(s),
            community: cid,
            slot,
            starts_at: s,
            // Where the deployment meets, as every later meeting will: the
            // calendar should not show the place changing at this month.
            place: config.meeting.place.clone(),
            // Planned: `draft` and `hold` take it through its life at its times.
            status: MeetingStatus::Planned,
            announcements: "传达上级关于物业服务质量提升的文件精神。".into(),
            skip_reason: None,
            opened_at: None,
            closed_at: None,
            created_at: s - TimeDelta::days(5),
        };
        meetings::insert_meeting(conn, &m)?;
        if now_on { today = Some(m) } else { held.push(m) }
    }

    let mut raised: Vec<Issue> = Vec::new();
    // What happens to the issues, worked out through the workflow and recorded below in
    // time order with the meetings.
    let mut steps: Vec<roundtable_core::Outcome> = Vec::new();
    let count = site.compounds.len();
    for k in 0..site.issues {
        // The fates repeat every ten issues, the compounds every five (or two): shifted one
        // compound each ten, so each company meets every fate — not one company every
        // broken promise and another none — and the comparison compares something.
        let c = (k + k / FATES.len()) % count;
        let at = start + TimeDelta::hours((k as i64) * site.every_hours + 9);
        // A duplicate is another neighbour raising the compound's latest problem again.
        let original = raised.iter().rev().find(|i| {
            i.compound == site.compounds[c]
                && [roundtable_core::IssueState::REJECTED, roundtable_core::IssueState::DUPLICATE]
                    .iter()
                    .all(|s| i.state != *s)
        });
        // 31 kinds for 60 issues: a title comes back at most once, and in another compound.
        let pattern = FATES[k % FATES.len()];
        let (title, description, category) = match (pattern, original) {
            (Fate::Duplicate, Some(o)) => (o.title.clone(), o.description.clone(), o.category.clone()),
            _ => {
                let (t, d, c) = PROBLEMS[(site.first_problem + k) % PROBLEMS.len()];
                (t.to_owned(), d.to_owned(), c.to_owned())
            }
        };
        let heard = held.iter().filter(|m| m.starts_at > at).count();
        let fate = match (pattern, original) {
            // Nothing in the compound yet to raise again.
            (Fate::Duplicate, None) => Fate::Verified,
            _ => in_time(pattern, urgency_of(&title), heard, &title),
        };
        let raiser = &people.raisers[c][k % people.raisers[c].len()];
        let new = NewIssue {
            urgency: urgency_of(&title),
            title,
            description,
            category,
            compound: site.compounds[c],
            building: Some(site.buildings[c][k % 6]),
            unit: Some(format!("{}单元", k % 3 + 1)),
        };
        let (issue, event) = Issue::raise(wf, new, raiser, at);
        issues::insert_issue(conn, &issue, &event)?;
        for user in people.supporters.iter().cycle().skip(k).take((k * 5) % 7) {
            issues::add_support(conn, &issue, *user, at + TimeDelta::hours(2))?;
        }
        // Of the two committed issues every ten, the first promises the nearer date.
        let near = fate == Fate::Committed && FATES[..k % FATES.len()].iter().all(|f| *f != Fate::Committed);
        let issue = advance(&mut steps, wf, tz, people, issue, c, fate, &raised, &held, now, near)?;
        raised.push(issue);
    }
    // Then the months in order: every issue's steps and every meeting at its own time, so
    // each agenda is planned from the tracker as it stood then.
    enum Moment<'a> {
        Step(&'a roundtable_core::Outcome),
        Draft(&'a Meeting),
        Open(&'a Meeting),
        Held(&'a Meeting),
    }
    let mut timeline: Vec<(DateTime<Utc>, Moment)> = steps.iter().map(|o| (o.event.at, Moment::Step(o))).collect();
    for m in &held {
        timeline.push((m.starts_at - TimeDelta::days(5), Moment::Draft(m)));
        timeline.push((m.starts_at, Moment::Open(m)));
        timeline.push((m.starts_at + TimeDelta::hours(2), Moment::Held(m)));
    }
    if let Some(m) = &today {
        timeline.push((m.starts_at - TimeDelta::days(5), Moment::Draft(m)));
        timeline.push((m.starts_at, Moment::Open(m)));
    }
    timeline.sort_by_key(|(at, _)| *at);
    for (_, moment) in timeline {
        match moment {
            Moment::Step(outcome) => issues::record_transition(conn, outcome)?,
            Moment::Draft(m) => draft(conn, (config, g.workflows), people.secretary.user, m)?,
            Moment::Open(m) => {
                meetings::set_status(conn, m.id, MeetingStatus::Planned, MeetingStatus::Open, m.starts_at)?;
            }
            Moment::Held(m) => hold(conn, people, m, &site.attending, now)?,
        }
    }
    roundtable_store::outbox::settle_history(conn, &cid.to_string(), now)?;
    Ok(Seeded { community: cid, issues: site.issues, meetings: held.len(), under_way: today.is_some() })
}

/// Drives one issue through the workflow to its fate, at plausible moments.
#[allow(clippy::too_many_arguments)]
fn advance(
    steps: &mut Vec<roundtable_core::Outcome>,
    wf: &roundtable_core::Workflow,
    tz: Tz,
    people: &People,
    mut issue: Issue,
    compound: usize,
    fate: Fate,
    earlier: &[Issue],
    held: &[Meeting],
    now: DateTime<Utc>,
    near: bool,
) -> Result<Issue, StoreError> {
    let mut at = issue.created_at;
    let mut fire = |issue: &Issue, actor: &Actor, name: &str, fields: TransitionFields, at: DateTime<Utc>| {
        let req = TransitionRequest { transition: name.into(), version: issue.version, fields };
        let out = apply(wf, issue, actor, &req, at.with_timezone(&tz))
            .map_err(|d| StoreError::Corrupt(format!("demo transition {name}: {d}")))?;
        let next = out.issue.clone();
        steps.push(out);
        Ok::<Issue, StoreError>(next)
    };
    let later = |at: DateTime<Utc>, by: TimeDelta| (at + by).min(now - TimeDelta::hours(1));
    let step = |at: DateTime<Utc>, days: i64| later(at, TimeDelta::days(days));
    let urgent = urgent_pace(issue.urgency);
    match fate {
        Fate::Raised => return Ok(issue),
        Fate::Rejected => {
            let f =
                TransitionFields { reason: not_for_the_meeting(&issue.title).map(Into::into), ..Default::default() };
            return fire(&issue, &people.secretary, "reject", f, step(at, 2));
        }
        Fate::Duplicate => {
            let Some(original) = earlier.iter().rev().find(|i| i.compound == issue.compound && i.title == issue.title)
            else {
                return Ok(issue);
            };
            let f = TransitionFields {
                duplicate_of: Some(original.id),
                reason: Some("与已有问题重复。".into()),
                ..Default::default()
            };
            return fire(&issue, &people.secretary, "mark_duplicate", f, step(at, 1));
        }
        _ => {}
    }
    let (org, staff, company) = &people.companies[compound];
    at = later(at, urgent.map_or(TimeDelta::days(1), |p| p.assign));
    issue = fire(
        &issue,
        &people.secretary,
        "assign",
        TransitionFields { responsible_org: Some(*org), ..Default::default() },
        at,
    )?;
    if fate == Fate::Assigned {
        return match not_its_own(&issue.title) {
            Some(why) => {
                let f = TransitionFields { reason: Some(why.into()), ..Default::default() };
                fire(&issue, staff, "request_return", f, step(at, 2))
            }
            None => Ok(issue),
        };
    }
    // Commit on the spot at the next meeting if one was held, else by the company itself
    // (an urgent fix at once).
    let meeting = held.iter().filter(|m| m.starts_at > at).nth(usize::from(fate == Fate::PromisedLate));
    let (committer, commit_at, meeting_id) = match (urgent, meeting) {
        (Some(p), _) => (staff, later(at, p.commit), None),
        (None, Some(m)) => (&people.secretary, m.starts_at + TimeDelta::minutes(40), Some(m.id)),
        (None, None) => (staff, step(at, 2), None),
    };
    // Asked back and refused before it promises: within the time to the promise, in thirds.
    if let Some((asked, refused)) = its_own_after_all(&issue.title) {
        let third = (commit_at.min(now - TimeDelta::hours(1)) - at) / 3;
        let f = TransitionFields { reason: Some(asked.into()), ..Default::default() };
        issue = fire(&issue, staff, "request_return", f, at + third)?;
        let f = TransitionFields { reason: Some(refused.into()), ..Default::default() };
        issue = fire(&issue, &people.secretary, "refuse_return", f, at + third * 2)?;
    }
    at = commit_at.min(now - TimeDelta::hours(1));
    let today = at.with_timezone(&tz).date_naive();
    // Some promises are already broken: those end overdue on the tracker.
    let overdue = fate == Fate::Late || fate == Fate::Committed && issue.created_at < now - TimeDelta::days(40);
    // The nearer job of the month's promises falls due within the week on whatever day the
    // demo starts (a week after it was made at the earliest), so a company's home, the
    // list's "due within 7 days" and the days left show what they are for; the rest in
    // three weeks.
    let days = match (overdue, near) {
        (true, _) => 10,
        (false, _) if let Some(p) = urgent => p.days,
        (false, true) => {
            let soon = now.with_timezone(&tz).date_naive() + Days::new(3);
            (soon - today).num_days().max(7) as u64
        }
        (false, false) => 21,
    };
    let due: NaiveDate = today.checked_add_days(Days::new(days)).unwrap_or(today);
    let f = TransitionFields {
        commitment_text: Some(format!("{company}：{}天内完成整改并向业主反馈。", (due - today).num_days())),
        due_date: Some(due),
        meeting: meeting_id,
        ..Default::default()
    };
    issue = fire(&issue, committer, "commit", f, at)?;
    if fate == Fate::Committed {
        // A fix that needs the fund or the owners' vote is paused a few days later.
        return match waits_for(&issue.title) {
            Some((what, why)) => {
                let f = TransitionFields { waiting_for: Some(what), reason: Some(why.into()), ..Default::default() };
                fire(&issue, &people.secretary, "pause", f, step(at, 4))
            }
            None => Ok(issue),
        };
    }
    at = match (fate, urgent) {
        // Past its date, after the meetings asked why.
        (Fate::Late, _) => step(at, days as i64 + 15),
        (_, Some(p)) => later(at, p.resolve),
        (_, None) => step(at, 9),
    };
    issue = fire(
        &issue,
        staff,
        "resolve",
        TransitionFields {
            resolution_note: Some("已按承诺完成整改，请业主验收。".into()), ..Default::default()
        },
        at,
    )?;
    if fate == Fate::Resolved {
        return Ok(issue);
    }
    // Some fixes failed their first check and were done again.
    if fate == Fate::Reverified {
        at = step(at, 2);
        issue = fire(
            &issue,
            &people.supervisor,
            "reopen",
            TransitionFields { reason: Some("复查发现问题仍未彻底解决。".into()), ..Default::default() },
            at,
        )?;
        at = step(at, 5);
        issue = fire(
            &issue,
            staff,
            "resolve",
            TransitionFields { resolution_note: Some("已返工处理。".into()), ..Default::default() },
            at,
        )?;
    }
    at = step(at, 3);
    let satisfaction = 3 + (issue.title.chars().count() % 3) as i64;
    fire(
        &issue,
        &people.supervisor,
        "verify",
        TransitionFields {
            satisfaction: Some(satisfaction),
            note: Some("经现场查看，问题已解决。".into()),
            ..Default::default()
        },
        at,
    )
}

/// Whether a meeting before `slot` asked to hear `issue` again after it (复议).
fn review_pending(
    conn: &mut roundtable_store::DbConn,
    issue: roundtable_core::IssueId,
    slot: chrono::NaiveDate,
) -> Result<bool, StoreError> {
    let heard = meetings::listing(conn, issue)?;
    Ok(heard.iter().any(|(_, item)| item.review_on.is_some_and(|day| day > slot)))
}

/// What a meeting asks of a paused issue, by what it waits for (the pause's
/// `waiting_for`): first, and when its day to be heard again came with nothing done.
fn waiting(
    conn: &mut roundtable_store::DbConn,
    issue: roundtable_core::IssueId,
) -> Result<(&'static str, &'static str), StoreError> {
    use roundtable_core::issue::WaitingFor;
    let timeline = issues::timeline(conn, issue)?;
    Ok(match timeline.iter().rev().find_map(|e| e.fields.waiting_for) {
        Some(WaitingFor::OwnersVote) => {
            ("请业主委员会组织业主表决，两个月后复议。", "业主表决尚未完成：请业主委员会抓紧组织，两个月后再次复议。")
        }
        Some(WaitingFor::MaintenanceFund) => (
            "请物业和业主委员会报送维修资金使用申请，两个月后复议。",
            "维修资金尚未批复：请业主委员会跟进审批，两个月后再次复议。",
        ),
        Some(WaitingFor::OtherParty) | None => {
            ("请社区协调有关单位尽快答复，两个月后复议。", "有关单位尚未答复：请社区继续协调，两个月后再次复议。")
        }
    })
}

/// A past meeting's draft, five days ahead, by the agenda job (with its company
/// comparison), published the next day.
fn draft(
    conn: &mut roundtable_store::DbConn,
    planner: (&Config, &WorkflowSet),
    secretary: roundtable_core::UserId,
    m: &Meeting,
) -> Result<(), StoreError> {
    let built_at = m.starts_at - TimeDelta::days(5);
    let mode = crate::jobs::agenda::Mode::Claim("demo");
    match crate::jobs::agenda::build_agenda_for(conn, planner, m.community, Some(m.slot), built_at, mode) {
        Ok(_) => {}
        Err(crate::jobs::agenda::AgendaError::Store(e)) => return Err(e),
        Err(other) => return Err(StoreError::Corrupt(format!("demo agenda {}: {other}", m.slot))),
    }
    // The secretary adds an item of her own before publishing.
    let added = [roundtable_store::agenda::Added {
        section: roundtable_core::agenda::Section::OtherBusiness,
        title: "下月重点工作安排".to_owned(),
        minutes: 10,
        issue: None,
    }];
    roundtable_store::agenda::edit_agenda(conn, m, &[], &[], &added, built_at + TimeDelta::hours(2))?;
    meetings::publish_agenda(conn, m.id, secretary, built_at + TimeDelta::hours(20))?;
    Ok(())
}

/// Holds a past meeting (its draft published, see `draft`, and opened at its start) at
/// its close: attendance, an outcome for most items (the commitments made on the spot, decisions, a
/// deferral) and some not reached, closed two hours later, minutes with remarks published
/// the day after.
fn hold(
    conn: &mut roundtable_store::DbConn,
    people: &People,
    m: &Meeting,
    attending: &[(OrgId, &str)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use roundtable_core::agenda::{Reason, Section};
    use roundtable_core::{ItemOutcome, RevisionStatus};
    use roundtable_store::{agenda, minutes};

    let closes = m.starts_at + TimeDelta::hours(2);
    for (org, who) in attending {
        meetings::record_attendance(conn, m, *org, who)?;
    }
    let items = agenda::agenda_items(conn, m.id)?;
    // The listed issues as they stand, read once: recording outcomes moves none of them.
    let ids: Vec<_> = items.iter().filter_map(|i| i.issue_id).collect();
    let listed = issues::get_issues(conn, &ids)?;
    let standing = |id| listed.iter().find(|x| x.id == id);
    let committed_here =
        |id| standing(id).is_some_and(|x| x.commitment.as_ref().is_some_and(|c| c.meeting == Some(m.id)));
    let in_state = |id, state: &str| standing(id).is_some_and(|x| x.state == state);
    let mut n = 0;
    for item in items.iter().filter(|i| !i.in_appendix) {
        // A paused issue waits on the owners' vote or funds: the meeting asks to hear it
        // again in two months (复议; eight weeks on is after the next meeting and by the
        // one after) — unless an earlier meeting's day for that is still to come.
        let in_two_months = m.slot + TimeDelta::weeks(8);
        let outcome = match (item.issue_id, item.section) {
            (Some(id), _) if committed_here(id) => Some((ItemOutcome::Commitment, "责任单位现场作出承诺。", None)),
            (Some(id), _) if item.reason == Reason::Paused => Some(if review_pending(conn, id, m.slot)? {
                (ItemOutcome::Decision, "维持上次会议决定，届时复议。", None)
            } else {
                (ItemOutcome::Decision, waiting(conn, id)?.0, Some(in_two_months))
            }),
            // Its day to be heard again came with nothing done: still waiting, another
            // day; otherwise the company reports at the next meeting.
            (Some(id), _) if item.reason == Reason::ReviewDue => {
                Some(if in_state(id, roundtable_core::IssueState::PAUSED) {
                    (ItemOutcome::Decision, waiting(conn, id)?.1, Some(in_two_months))
                } else {
                    (ItemOutcome::Decision, "复议：请责任单位按上次会议决定办理，于下次会议报告结果。", None)
                })
            }
            (Some(_), _) if item.reason == Reason::AwaitingCommitment => {
                Some((ItemOutcome::Decision, "请责任单位一周内作出书面承诺（整改内容和完成期限）。", None))
            }
            (Some(_), _) if item.reason == Reason::Reopened => {
                Some((ItemOutcome::Decision, "验收未通过：请责任单位重新整改，完成后再请提出人验收。", None))
            }
            (Some(_), _) if item.reason == Reason::Overdue => {
                Some((ItemOutcome::Decision, "承诺已逾期：请责任单位书面说明原因，于下次会议前完成整改。", None))
            }
            // Nobody answers for it yet: checked on site first, then assigned.
            (Some(id), _) if in_state(id, roundtable_core::IssueState::RAISED) => {
                Some((ItemOutcome::Decision, "请网格员会同物业到现场核实，核实后交办。", None))
            }
            (Some(_), _) if item.reason == Reason::AwaitingVerification => {
                Some((ItemOutcome::Decision, "请提出人和楼栋长一周内到现场验收。", None))
            }
            (Some(_), _) => {
                n += 1;
                match n % 4 {
                    0 => Some((ItemOutcome::Deferred, "待责任单位进一步核实后再议。", None)),
                    3 => None,
                    _ => Some((ItemOutcome::Decision, "请责任单位按要求办理，办理情况在社区台账中更新。", None)),
                }
            }
            (None, Section::Announcements) => Some((ItemOutcome::Decision, "已传达。", None)),
            (None, _) if item.reason == Reason::Added => Some((ItemOutcome::Decision, "已部署。", None)),
            (None, _) => None,
        };
        if let Some((outcome, note, review_on)) = outcome {
            let recorded = meetings::Recorded {
                outcome,
                note: Some(note),
                review_on,
                refused_due_date: None,
                refused_return: false,
            };
            meetings::record_outcome(conn, m.id, &item.id, recorded, &[])?;
        }
    }
    meetings::set_status(conn, m.id, MeetingStatus::Open, MeetingStatus::Closed, closes)?;
    let secretary = people.secretary.user;
    let after = closes + TimeDelta::hours(20);
    let mut remarks = "请各物业公司按期落实会上承诺，下次会议逐项通报。".to_owned();
    // A company that came reads the draft and asks for a correction; the secretary takes
    // it into the remarks before publishing (the review the newcomer sees on the minutes).
    if let Some((org, person, name)) = people.companies.iter().find(|(org, ..)| attending.iter().any(|(a, _)| a == org))
    {
        use roundtable_core::CorrectionAnswer;
        use roundtable_store::corrections;
        let asked = "请在纪要中写明：我方承诺的整改须待业主表决后启动，期限以表决结果为准。";
        let asked_at = closes + TimeDelta::hours(3);
        // Nothing after the demo's own moment: tried on the afternoon of a meeting day, the
        // day's minutes are still under review (the correction asked, if it is late enough,
        // waits for the secretary's answer).
        if asked_at > now {
            return Ok(());
        }
        if let corrections::Asked::New(id) = corrections::ask(conn, m, *org, person.user, asked, asked_at)? {
            if after > now {
                return Ok(());
            }
            let reply = "已采纳，写入书记说明。";
            corrections::answer(conn, m.id, id, CorrectionAnswer::Accepted, reply, secretary, after)?;
            remarks.push_str(&format!("{name}的整改须待业主表决后启动，期限以表决结果为准。"));
        }
    }
    let published = after + TimeDelta::hours(1);
    if published > now {
        return Ok(());
    }
    minutes::add_revision(conn, m, RevisionStatus::Draft, &remarks, secretary, after)?;
    minutes::add_revision(conn, m, RevisionStatus::Published, &remarks, secretary, published)?;
    Ok(())
}
