//! Generated tenants and their daily Secure Score histories.
//!
//! Everything follows from the seed and the newest day, through the
//! simulator's own PRNG, so the same options give the same bytes. Snapshots
//! and profiles are built when requested from a compact plan per control,
//! which keeps thousands of tenants cheap.
//!
//! Scenarios go by position in the tenant list. Tenants 1, 4 and 7 regress
//! (controls drop to 0 between 14 and 20 days before the newest day). Tenant
//! 2 is denied access (403), tenant 3 gains new controls partway (maximum
//! drift) and tenant 5 has no snapshots. The rest improve slowly.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use domain::TenantId;
use serde_json::{json, Value};

use super::catalogue::{catalogue, description, profile_json, vendor_information, ControlDef, Measure};
use super::rng::SplitMix64;
use super::{SimScenario, SimTenant};

/// Invented customers: display name, industry, and the start of the
/// `onmicrosoft.com` domain used in `updatedBy` values.
const COMPANIES: [(&str, Option<&str>); 24] = [
    ("Brightwater Family Dental", Some("Healthcare")),
    ("Halvorsen & Pike LLP", Some("Legal")),
    ("Copperline Credit Union", Some("Financial Services")),
    ("Northgate Precision Machining", Some("Manufacturing")),
    ("Saint Brendan's Academy", Some("Education")),
    ("Juniper Lane Outfitters", Some("Retail")),
    ("Ostrander Wealth Partners", Some("Financial Services")),
    ("Meridian Ridge Veterinary Clinic", Some("Healthcare")),
    ("Tallis Engineering Consultants", Some("Professional Services")),
    ("Kestrel Freight Systems", Some("Logistics")),
    ("Greyfield Property Management", Some("Real Estate")),
    ("Wrenfield Community Trust", None),
    ("Quarry Hill Orthopedics", Some("Healthcare")),
    ("Mosswood Architects", Some("Professional Services")),
    ("Driftwood Harbor Hotel", Some("Hospitality")),
    ("Ironbark Construction", Some("Construction")),
    ("Larkspur Accounting Group", Some("Professional Services")),
    ("Redfern Legal Aid", Some("Legal")),
    ("Silverpine School District", Some("Education")),
    ("Tidewater Marine Supply", Some("Retail")),
    ("Ashcombe Pharmacy", Some("Healthcare")),
    ("Fenwick Plastics", Some("Manufacturing")),
    ("Cobaltline Insurance Brokers", Some("Financial Services")),
    ("Pemberton Nonprofit Alliance", Some("Nonprofit")),
];

/// The industry whose generated snapshots carry an `IndustryTypes` benchmark.
const INDUSTRY_WITH_BENCHMARK: &str = "Financial Services";

/// Suffixes that keep names unique once the company list is used up.
const BRANCHES: [&str; 6] = ["North", "South", "East", "West", "Holdings", "Group"];

/// Seat-size bands of the `TotalSeats` benchmark.
const SEAT_BANDS: [(u32, u32); 5] = [(1, 100), (101, 500), (501, 1000), (1001, 5000), (5001, 10000)];

/// The control whose category moves from Apps to Identity 60 days before
/// the newest day, as Graph sometimes does.
const RECATEGORISED_CONTROL: &str = "entra_admin_consent_workflow";

/// Scenario of the tenant at `index` in the generated list.
fn scenario_for(index: usize) -> SimScenario {
    match index {
        1 | 4 | 7 => SimScenario::Regressing,
        2 => SimScenario::AccessDenied,
        3 => SimScenario::MaxDrift,
        5 => SimScenario::NoData,
        _ => SimScenario::Normal,
    }
}

/// One generated tenant: identity, licence facts and a plan per scored
/// control.
#[derive(Debug)]
pub(crate) struct GeneratedTenant {
    pub(crate) info: SimTenant,
    seed: u64,
    index: u64,
    domain: String,
    history_days: u32,
    first_day: NaiveDate,
    users: u32,
    licensed_user_count: i64,
    enabled_services: Vec<&'static str>,
    seat_band: (u32, u32),
    /// False for the tenant whose benchmarks are all -1, as some real
    /// tenants get.
    benchmark_available: bool,
    controls: Vec<ControlPlan>,
}

/// Score plan of one control over the history. Days are indexes from the
/// oldest snapshot (0) to the newest (`history_days - 1`).
#[derive(Debug, Clone)]
struct ControlPlan {
    /// Position in [`catalogue`].
    def: usize,
    /// Users or devices measured; 1 for on/off controls.
    total: u32,
    /// Non-compliant items from a day on, sorted by day.
    steps: Vec<(u32, u32)>,
    /// First day the control is part of the snapshot.
    appears_from: u32,
    /// From this day on the control scores 0.
    regress_from: Option<u32>,
}

impl ControlPlan {
    fn open_at(&self, day: u32) -> u32 {
        if self.regress_from.is_some_and(|from| day >= from) {
            return self.total;
        }
        self.steps.iter().take_while(|(from, _)| *from <= day).last().map_or(self.total, |(_, open)| *open)
    }

    /// Score in hundredths of a point, so sums stay exact.
    fn score_cents(&self, day: u32, max_score: u32) -> u64 {
        let compliant = u64::from(self.total - self.open_at(day).min(self.total));
        let total = u64::from(self.total.max(1));
        (u64::from(max_score) * 100 * compliant + total / 2) / total
    }
}

/// Builds `count` tenants for `seed` with `history_days` snapshots ending on
/// `today`.
pub(crate) fn generate_tenants(seed: u64, count: usize, history_days: u32, today: NaiveDate) -> Vec<GeneratedTenant> {
    let mut names: Vec<usize> = (0..COMPANIES.len()).collect();
    SplitMix64::derive(seed, "company-order", 0).shuffle(&mut names);

    (0..count)
        .map(|index| {
            let (base_name, industry) = COMPANIES[names[index % names.len()]];
            let display_name = match index / names.len() {
                0 => base_name.to_owned(),
                round => format!("{base_name} {}", BRANCHES[(round - 1) % BRANCHES.len()]),
            };
            let suffix = if index / names.len() > 0 { format!("{}", index / names.len()) } else { String::new() };
            generate_tenant(seed, index, display_name, industry, suffix, history_days, today)
        })
        .collect()
}

fn generate_tenant(
    seed: u64,
    index: usize,
    display_name: String,
    industry: Option<&str>,
    domain_suffix: String,
    history_days: u32,
    today: NaiveDate,
) -> GeneratedTenant {
    let mut rng = SplitMix64::derive(seed, "tenant", index as u64);
    let tenant_id = TenantId::parse(&rng.guid()).expect("generated GUIDs are valid tenant ids");
    let scenario = scenario_for(index);
    let domain_stem: String =
        display_name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let domain = format!("{}{domain_suffix}.onmicrosoft.com", &domain_stem[..domain_stem.len().min(24)]);

    let users = rng.range(8, 1200) as u32;
    let seat_band = SEAT_BANDS.into_iter().find(|(low, high)| (*low..=*high).contains(&users)).unwrap_or(SEAT_BANDS[0]);
    let licensed_user_count = if index == 9 { 500_000 + i64::from(users) } else { 0 };
    let first_day = today - Days::new(u64::from(history_days.saturating_sub(1)));

    let controls = plan_controls(&mut rng, scenario, history_days, users);
    let enabled_services = enabled_services(&controls);

    GeneratedTenant {
        info: SimTenant { tenant_id, display_name, industry: industry.map(str::to_owned), scenario },
        seed,
        index: index as u64,
        domain,
        history_days,
        first_day,
        users,
        licensed_user_count,
        enabled_services,
        seat_band,
        benchmark_available: index != 8,
        controls,
    }
}

fn plan_controls(rng: &mut SplitMix64, scenario: SimScenario, history_days: u32, users: u32) -> Vec<ControlPlan> {
    let defs = catalogue();
    let last_day = history_days.saturating_sub(1);
    let devices = users + users / 5 + 1;
    let maturity = 0.25 + rng.unit() * 0.4;

    let mut scorable: Vec<usize> = (0..defs.len()).filter(|&i| defs[i].scorable).collect();
    rng.shuffle(&mut scorable);
    let scored_count = (rng.range(40, 70) as usize).min(scorable.len().saturating_sub(4));
    let (scored, unscored) = scorable.split_at(scored_count);

    let mut controls: Vec<ControlPlan> =
        scored.iter().map(|&def| plan_control(rng, def, &defs[def], maturity, last_day, users, devices)).collect();

    match scenario {
        SimScenario::Regressing => add_regressions(rng, &mut controls, last_day),
        SimScenario::MaxDrift => add_new_controls(rng, &mut controls, unscored, last_day, users, devices),
        _ => {}
    }

    // Graph lists control scores grouped by category; keep a stable order.
    controls.sort_by(|a, b| {
        let (da, db) = (&defs[a.def], &defs[b.def]);
        (category_order(da.category), da.id.to_ascii_lowercase())
            .cmp(&(category_order(db.category), db.id.to_ascii_lowercase()))
    });
    controls
}

fn category_order(category: &str) -> u8 {
    match category {
        "Apps" => 0,
        "Identity" => 1,
        "Data" => 2,
        "Device" => 3,
        _ => 4,
    }
}

fn plan_control(
    rng: &mut SplitMix64,
    def_index: usize,
    def: &ControlDef,
    maturity: f64,
    last_day: u32,
    users: u32,
    devices: u32,
) -> ControlPlan {
    let (total, steps) = match def.measure {
        Measure::Binary => {
            let steps = if rng.chance(maturity) {
                vec![(0, 0)]
            } else if last_day >= 1 && rng.chance(0.35) {
                vec![(0, 1), (rng.range(1, u64::from(last_day)) as u32, 0)]
            } else {
                vec![(0, 1)]
            };
            (1, steps)
        }
        Measure::Users | Measure::Devices => {
            let total = if def.measure == Measure::Users { users } else { devices };
            let mut open = if rng.chance(maturity) {
                rng.range(0, u64::from(total / 5)) as u32
            } else {
                rng.range(u64::from(total / 3), u64::from(total)) as u32
            };
            let mut steps = vec![(0, open)];
            if last_day >= 1 {
                let mut days: Vec<u32> =
                    (0..rng.range(0, 3)).map(|_| rng.range(1, u64::from(last_day)) as u32).collect();
                days.sort_unstable();
                days.dedup();
                for day in days {
                    open = rng.range(0, u64::from(open)) as u32;
                    steps.push((day, open));
                }
            }
            (total, steps)
        }
    };
    ControlPlan { def: def_index, total, steps, appears_from: 0, regress_from: None }
}

/// Drops two to four of the best-scoring controls to 0 on days 14 to 20
/// before the newest day. Improvements stop three weeks before the newest day, so the
/// drop shows in the total.
fn add_regressions(rng: &mut SplitMix64, controls: &mut [ControlPlan], last_day: u32) {
    if last_day < 21 {
        return;
    }
    let defs = catalogue();
    let earliest = last_day - 20;
    for plan in controls.iter_mut() {
        plan.steps.retain(|(day, _)| *day < earliest);
    }
    // Pick among the eight highest-scoring controls so the drop is clear.
    let score_before = |plan: &ControlPlan| plan.score_cents(earliest - 1, defs[plan.def].max_score);
    let mut candidates: Vec<usize> = (0..controls.len()).filter(|&i| score_before(&controls[i]) > 0).collect();
    candidates.sort_by_key(|&i| std::cmp::Reverse(score_before(&controls[i])));
    candidates.truncate(8);
    rng.shuffle(&mut candidates);
    let regressions = rng.range(2, 4) as usize;
    for &i in candidates.iter().take(regressions) {
        let day = last_day - rng.range(14, 20) as u32;
        controls[i].regress_from = Some(day);
    }
}

/// Adds four controls on one day with no points, while no other control
/// changes that day, so only the maximum moves.
fn add_new_controls(
    rng: &mut SplitMix64,
    controls: &mut Vec<ControlPlan>,
    unscored: &[usize],
    last_day: u32,
    users: u32,
    devices: u32,
) {
    if last_day < 2 || unscored.is_empty() {
        return;
    }
    let defs = catalogue();
    let drift_day = if last_day > 50 { last_day - 40 } else { last_day / 2 };

    for plan in controls.iter_mut() {
        for step in &mut plan.steps {
            if step.0 == drift_day {
                step.0 += 1;
            }
        }
        // Two steps now on one day: the later one wins.
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(plan.steps.len());
        for step in plan.steps.drain(..) {
            match merged.last_mut() {
                Some(previous) if previous.0 == step.0 => *previous = step,
                _ => merged.push(step),
            }
        }
        plan.steps = merged;
    }

    for (position, &def) in unscored.iter().take(4).enumerate() {
        let total = match defs[def].measure {
            Measure::Binary => 1,
            Measure::Users => users,
            Measure::Devices => devices,
        };
        let mut steps = vec![(drift_day, total)];
        let fix_day = drift_day + 10;
        if position == 0 && fix_day <= last_day {
            steps.push((fix_day, 0));
        } else if position == 1 && fix_day + 5 <= last_day {
            steps.push((fix_day + 5, rng.range(0, u64::from(total / 2)) as u32));
        }
        controls.push(ControlPlan { def, total, steps, appears_from: drift_day, regress_from: None });
    }
}

fn enabled_services(controls: &[ControlPlan]) -> Vec<&'static str> {
    let defs = catalogue();
    let uses = |service: &str| controls.iter().any(|plan| defs[plan.def].service == service);
    let mut services = vec!["HasAADP1", "HasEXOP2", "HasSPOP2", "HasMDOP1"];
    let optional = [
        ("Azure ATP", "HasAATP"),
        ("MCAS", "HasMCAS"),
        ("MDATP", "HasMDEP2"),
        ("MIP", "HasAIPP1"),
        ("IRM", "HasM365E5"),
        ("Purview", "HasCLB"),
    ];
    for (service, flag) in optional {
        if uses(service) {
            services.push(flag);
        }
    }
    services
}

impl GeneratedTenant {
    pub(crate) fn snapshot_count(&self) -> usize {
        match self.info.scenario {
            SimScenario::NoData => 0,
            _ => self.history_days as usize,
        }
    }

    /// Builds the snapshot at position `newest_index` without PATCHed states.
    #[cfg(test)]
    pub(crate) fn snapshot(&self, newest_index: usize) -> Value {
        self.snapshot_with(newest_index, &HashMap::new(), &HashMap::new())
    }

    /// Catalogue positions of the controls to zero for a simulated
    /// regression: controls with points on the newest day, the best first,
    /// skipping any that would take the loss past 9 % of the maximum, until
    /// the loss reaches 6 %. The percentage then falls by 6 to 9 points:
    /// over the 5-point default of the Score Drop rule, and rarely far
    /// enough to cross a baseline as well.
    pub(crate) fn regression_controls(&self) -> (NaiveDate, Vec<(usize, String)>) {
        let defs = catalogue();
        let day = self.history_days - 1;
        let date = self.first_day + Days::new(u64::from(day));
        let present: Vec<&ControlPlan> = self.controls.iter().filter(|plan| plan.appears_from <= day).collect();
        let max_cents: u64 = present.iter().map(|p| u64::from(defs[p.def].max_score) * 100).sum();
        let mut scored: Vec<(usize, u64)> = present.iter().map(|plan| (plan.def, plan.score_cents(day, defs[plan.def].max_score))).collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let (target, ceiling) = (max_cents * 6 / 100, max_cents * 9 / 100);
        let mut chosen = Vec::new();
        let mut lost = 0;
        for (position, cents) in &scored {
            if lost >= target {
                break;
            }
            if *cents > 0 && lost + cents <= ceiling {
                lost += cents;
                chosen.push((*position, defs[*position].id.to_string()));
            }
        }
        // No combination fits under the ceiling: take the best controls
        // until the target is reached, whatever the overshoot.
        if lost < target {
            for (position, cents) in &scored {
                if lost >= target {
                    break;
                }
                if *cents == 0 || chosen.iter().any(|(taken, _)| taken == position) {
                    continue;
                }
                lost += cents;
                chosen.push((*position, defs[*position].id.to_string()));
            }
        }
        (date, chosen)
    }

    /// Builds the snapshot at position `newest_index` of the newest-first
    /// list. Controls in `third_party` (by catalogue position) score in full
    /// from the day their `ThirdParty` state was set. Microsoft takes a day or two; the simulator applies it
    /// the same day so a demo shows the effect at once.
    /// Controls in `regressed` score nothing from the day given, as if the
    /// tenant switched them off (a simulated regression).
    pub(crate) fn snapshot_with(
        &self,
        newest_index: usize,
        third_party: &HashMap<usize, NaiveDate>,
        regressed: &HashMap<usize, NaiveDate>,
    ) -> Value {
        let defs = catalogue();
        let day = self.history_days - 1 - newest_index as u32;
        let date = self.first_day + Days::new(u64::from(day));
        let recategorised_before = self.history_days.saturating_sub(60);

        let mut control_scores = Vec::with_capacity(self.controls.len());
        let mut current_cents: u64 = 0;
        let mut max_points: u64 = 0;
        for plan in self.controls.iter().filter(|plan| plan.appears_from <= day) {
            let def = &defs[plan.def];
            let covered = third_party.get(&plan.def).is_some_and(|from| *from <= date);
            let lost = !covered && regressed.get(&plan.def).is_some_and(|from| *from <= date);
            let cents = if covered {
                u64::from(def.max_score) * 100
            } else if lost {
                0
            } else {
                plan.score_cents(day, def.max_score)
            };
            current_cents += cents;
            max_points += u64::from(def.max_score);
            let category =
                if def.id == RECATEGORISED_CONTROL && day < recategorised_before { "Apps" } else { def.category };
            control_scores.push(self.control_score(def, plan, day, date, cents, category, covered, lost));
        }

        let tenant_id = self.info.tenant_id.as_str();
        json!({
            "activeUserCount": self.users,
            "averageComparativeScores": self.benchmarks(date),
            "azureTenantId": tenant_id,
            "controlScores": control_scores,
            "createdDateTime": format!("{date}T00:00:00Z"),
            "currentScore": current_cents as f64 / 100.0,
            "enabledServices": self.enabled_services,
            "id": format!("{tenant_id}_{date}"),
            "licensedUserCount": self.licensed_user_count,
            "maxScore": max_points as f64,
            "vendorInformation": vendor_information(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn control_score(
        &self,
        def: &ControlDef,
        plan: &ControlPlan,
        day: u32,
        date: NaiveDate,
        cents: u64,
        category: &str,
        covered: bool,
        lost: bool,
    ) -> Value {
        let open = if covered {
            0
        } else if lost {
            plan.total
        } else {
            plan.open_at(day).min(plan.total)
        };
        let percentage = if def.max_score == 0 { 0.0 } else { round2(cents as f64 / f64::from(def.max_score)) };
        let mut sync_rng = SplitMix64::derive(self.seed, def.id.as_str(), self.index * 100_000 + u64::from(day));
        let synced = date.pred_opt().unwrap_or(date);
        let last_synced =
            format!("{synced}T{:02}:{:02}:{:02}Z", sync_rng.range(0, 23), sync_rng.range(0, 59), sync_rng.range(0, 59));

        let mut entry = json!({
            "controlCategory": category,
            "controlName": def.id,
            "description": description(def),
            "lastSynced": last_synced,
            "score": cents as f64 / 100.0,
            "scoreInPercentage": percentage,
        });
        let status = match def.measure {
            Measure::Binary => {
                entry["on"] = json!(if open == 0 { "true" } else { "false" });
                binary_status(def, open == 0)
            }
            Measure::Users | Measure::Devices => {
                let unit = if def.measure == Measure::Users { "users" } else { "devices" };
                entry["count"] = json!((plan.total - open).to_string());
                entry["total"] = json!(plan.total.to_string());
                format!("You have {open} of {} {unit} that are not covered by this setting.", plan.total)
            }
        };
        entry["implementationStatus"] = json!(status);
        entry
    }

    fn benchmarks(&self, date: NaiveDate) -> Value {
        if !self.benchmark_available {
            return json!([
                unavailable_benchmark("AllTenants", None),
                unavailable_benchmark("TotalSeats", Some(self.seat_band))
            ]);
        }
        let day_number = u64::try_from(date.num_days_from_ce()).unwrap_or_default();
        let mut all_rng = SplitMix64::derive(self.seed, "benchmark-all", day_number);
        let band_index = SEAT_BANDS.iter().position(|band| *band == self.seat_band).unwrap_or(0) as u64;
        let mut seats_rng = SplitMix64::derive(self.seed, "benchmark-seats", day_number * 16 + band_index);

        let mut all = benchmark(&mut all_rng, "AllTenants", 52.4);
        let mut seats = benchmark(&mut seats_rng, "TotalSeats", 47.8 + band_index as f64 * 1.7);
        all["basis"] = json!("AllTenants");
        seats["SeatSizeRangeLowerValue"] = json!(self.seat_band.0.to_string());
        seats["SeatSizeRangeUpperValue"] = json!(self.seat_band.1.to_string());
        // Graph's documented example has an IndustryTypes entry, while
        // current payloads lack it; financial tenants carry one, so both
        // benchmark paths appear in the demo.
        if self.info.industry.as_deref() == Some(INDUSTRY_WITH_BENCHMARK) {
            let mut industry_rng = SplitMix64::derive(self.seed, "benchmark-industry", day_number);
            return json!([all, seats, benchmark(&mut industry_rng, "IndustryTypes", 58.6)]);
        }
        json!([all, seats])
    }

    pub(crate) fn profile_count(&self) -> usize {
        catalogue().len()
    }

    /// Builds the profile at `position` in the catalogue, with the tenant's
    /// state updates followed by `appended` ones from PATCH requests.
    pub(crate) fn profile(&self, position: usize, appended: &[Value]) -> Value {
        let def = &catalogue()[position];
        let mut updates = self.initial_state_updates(position, def);
        updates.extend(appended.iter().cloned());
        let last_modified = updates
            .iter()
            .filter_map(|update| update.get("updatedDateTime").and_then(Value::as_str))
            .max()
            .map(str::to_owned);
        let mut profile = profile_json(def, self.info.tenant_id.as_str(), Value::Array(updates));
        if let Some(last_modified) = last_modified {
            profile["lastModifiedDateTime"] = json!(last_modified);
        }
        profile
    }

    /// Position in the catalogue of control `id`.
    pub(crate) fn profile_position(&self, id: &str) -> Option<usize> {
        catalogue().iter().position(|def| def.id == id)
    }

    /// Mostly the untouched `Default` entry; a few controls carry a
    /// ThirdParty, Ignored or Reviewed decision by the tenant's admin.
    fn initial_state_updates(&self, position: usize, def: &ControlDef) -> Vec<Value> {
        let untouched = json!({"assignedTo": null, "comment": null, "state": "Default", "updatedBy": null, "updatedDateTime": null});
        let mut rng = SplitMix64::derive(self.seed, "control-state", self.index * 10_000 + position as u64);
        if !def.scorable || !rng.chance(0.07) || self.history_days < 2 {
            return vec![untouched];
        }
        let (state, comment) = match rng.range(0, 2) {
            0 => ("ThirdParty", "Covered by the customer's third-party security service."),
            1 => ("Ignored", "Risk accepted by the customer after review."),
            _ => ("Reviewed", "Reviewed with the customer, no change planned this quarter."),
        };
        let day = rng.range(0, u64::from(self.history_days - 1));
        let date = self.first_day + Days::new(day);
        let decision = json!({
            "assignedTo": format!("it.admin@{}", self.domain),
            "comment": comment,
            "state": state,
            "updatedBy": format!("it.admin@{}", self.domain),
            "updatedDateTime": format!("{date}T{:02}:{:02}:00Z", rng.range(7, 18), rng.range(0, 59)),
        });
        if rng.chance(0.5) {
            vec![untouched, decision]
        } else {
            vec![decision]
        }
    }
}

fn binary_status(def: &ControlDef, on: bool) -> String {
    match (def.service.as_str(), on) {
        ("Azure ATP", true) => "<p>No open issues were found on your domain controllers.</p>".to_owned(),
        ("Azure ATP", false) => "<p>Open issues were found on your domain controllers.</p>".to_owned(),
        (_, true) => "The setting is compliant.".to_owned(),
        (_, false) => "The setting is not compliant.".to_owned(),
    }
}

/// Builds a benchmark entry with per-category averages around `average`.
fn benchmark(rng: &mut SplitMix64, basis: &str, average: f64) -> Value {
    let average = round2(average + rng.unit() * 1.2 - 0.6);
    let mut entry = json!({"averageScore": average, "basis": basis});
    let categories = [("identity", 59.42), ("data", 3.27), ("device", 16.76), ("apps", 79.0)];
    for (name, max) in categories {
        let share = (average / 100.0) * (0.8 + rng.unit() * 0.4);
        entry[format!("{name}Score")] = json!(round2((max * share).min(max)));
        entry[format!("{name}ScoreMax")] = json!(round2(max + rng.unit() * 2.0));
    }
    entry["infrastructureScore"] = json!(0.0);
    entry["infrastructureScoreMax"] = json!(0.0);
    entry
}

fn unavailable_benchmark(basis: &str, seat_band: Option<(u32, u32)>) -> Value {
    let mut entry = json!({"averageScore": -1.0, "basis": basis});
    for name in ["identity", "data", "device", "apps", "infrastructure"] {
        entry[format!("{name}Score")] = json!(-1.0);
        entry[format!("{name}ScoreMax")] = json!(-1.0);
    }
    if let Some((low, high)) = seat_band {
        entry["SeatSizeRangeLowerValue"] = json!(low.to_string());
        entry["SeatSizeRangeUpperValue"] = json!(high.to_string());
    }
    entry
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 7, 17).unwrap()
    }

    fn number(value: &Value) -> f64 {
        value.as_f64().unwrap()
    }

    #[test]
    fn snapshot_totals_match_controls() {
        for tenant in generate_tenants(7, 12, 100, today()) {
            for newest_index in 0..tenant.snapshot_count() {
                let snapshot = tenant.snapshot(newest_index);
                let controls = snapshot["controlScores"].as_array().unwrap();
                let sum: f64 = controls.iter().map(|c| number(&c["score"])).sum();
                assert!(
                    (sum - number(&snapshot["currentScore"])).abs() < 1e-6,
                    "{} day {newest_index}",
                    tenant.info.display_name
                );
                let max: f64 = controls
                    .iter()
                    .map(|c| {
                        let id = c["controlName"].as_str().unwrap();
                        f64::from(catalogue().iter().find(|d| d.id == id).unwrap().max_score)
                    })
                    .sum();
                assert_eq!(max, number(&snapshot["maxScore"]));
            }
        }
    }

    #[test]
    fn newest_snapshot_is_today() {
        let tenants = generate_tenants(7, 1, 100, today());
        assert_eq!(tenants[0].snapshot(0)["createdDateTime"], "2026-07-17T00:00:00Z");
        assert_eq!(tenants[0].snapshot(99)["createdDateTime"], "2026-04-09T00:00:00Z");
    }

    #[test]
    fn scored_control_count_in_range() {
        for tenant in generate_tenants(7, 12, 100, today()) {
            let base = tenant.controls.iter().filter(|plan| plan.appears_from == 0).count();
            assert!((40..=70).contains(&base), "{} scores {base}", tenant.info.display_name);
        }
    }

    #[test]
    fn drift_day_changes_only_the_maximum() {
        let tenants = generate_tenants(7, 12, 100, today());
        let tenant = tenants.iter().find(|t| t.info.scenario == SimScenario::MaxDrift).unwrap();
        let series: Vec<(f64, f64)> = (0..tenant.snapshot_count())
            .rev()
            .map(|i| {
                let s = tenant.snapshot(i);
                (number(&s["currentScore"]), number(&s["maxScore"]))
            })
            .collect();
        let jumps: Vec<usize> = (1..series.len()).filter(|&d| series[d].1 > series[d - 1].1).collect();
        assert_eq!(jumps.len(), 1, "{jumps:?}");
        let day = jumps[0];
        assert_eq!(series[day].0, series[day - 1].0, "points changed on the drift day");
    }

    #[test]
    fn regressing_tenants_lose_points_recently() {
        let tenants = generate_tenants(7, 12, 100, today());
        let regressing: Vec<&GeneratedTenant> =
            tenants.iter().filter(|t| t.info.scenario == SimScenario::Regressing).collect();
        assert_eq!(regressing.len(), 3);
        for tenant in regressing {
            let newest = number(&tenant.snapshot(0)["currentScore"]);
            let three_weeks_ago = number(&tenant.snapshot(21)["currentScore"]);
            assert!(newest <= three_weeks_ago - 8.0, "{}: {newest} vs {three_weeks_ago}", tenant.info.display_name);
        }
    }

    #[test]
    fn names_are_unique_past_the_company_list() {
        let tenants = generate_tenants(7, 60, 3, today());
        let mut names: Vec<&str> = tenants.iter().map(|t| t.info.display_name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 60);
    }
}
