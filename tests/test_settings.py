"""Settings, read once: typed sections, a single text for every list, aliases, and the messages.

The proof of "one reader": every setting that holds a list gives the same typed settings, and so
the same results from every job, whether it is written as a single text or as a list of one.
"""

import copy
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from toolkit.demo.sample_data import generate
from toolkit.demo.workbooks import write_sample
from toolkit.documents.filters import MASKS
from toolkit.errors import SettingsError
from toolkit.jobs.notices import make_notices
from toolkit.jobs.office import office_calendar
from toolkit.jobs.run import run_jobs
from toolkit.model.records import read_table
from toolkit.rules import monthly
from toolkit.rules.tiers import CONDITIONS
from toolkit.settings import default_settings, load_settings, read_settings, shipped_settings
from toolkit.settings.notices import MASKS as MASK_NAMES
from toolkit.settings.tiers import CONDITION_KINDS

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

AS_OF = dt.datetime(2026, 11, 20, 17, 0)
OCTOBER = monthly.Month(2026, 10)


# ------------------------------------------------------------------------------ every list, as one text


def list_settings(data, path=()):
    """(path, first value) of every list of texts or dates in the settings; a path step into a list of
    tables is the entry's index."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from list_settings(value, (*path, key))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for n, entry in enumerate(data):
            yield from list_settings(entry, (*path, n))
    elif isinstance(data, list) and data and all(isinstance(v, (str, dt.date)) for v in data):
        yield path, data[0]


# Lists the shipped defaults leave empty or do not have, with a value each may hold.
MORE_LISTS = [
    (("calendar", "closures"), "2026-12-31"),
    (("calendar", "extra_workdays"), dt.date(2026, 12, 27)),
    (("sla", "rules", 0, "tier"), "A"),
    (("sla", "rules", 0, "channel"), "phone"),  # an alias of 电话
    (("sla", "rules", 0, "priority"), "紧急重要"),
    (("sla", "rules", 0, "category"), "客户投诉"),
    (("escalation", "steps"), "resolve"),
]
LISTS = list(list_settings(default_settings())) + MORE_LISTS


def with_value(path, value):
    data = copy.deepcopy(default_settings())
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


def test_the_shipped_defaults_have_lists_of_every_kind():
    paths = {".".join(str(p) for p in path) for path, _ in LISTS}
    for expected in (
        "calendar.office_hours",
        "choices.status",
        "sla.waiting_statuses",
        "sla.closed_statuses",
        "escalation.steps",
        "register.columns.0.aliases",
        "notices.kinds.ack.when.1.in",
        "notices.kinds.settlement.when.0.starts_with",
    ):
        assert expected in paths
    assert len(LISTS) > 40


def outcome(data):
    """The typed settings, or the message refusing them (a choice list cut to one value may no longer
    hold what other settings name: then both forms must be refused alike)."""
    try:
        return read_settings(data, "toolkit.toml")
    except SettingsError as exc:
        return str(exc)


@pytest.mark.parametrize("path, value", LISTS, ids=[".".join(map(str, p)) for p, _ in LISTS])
def test_every_list_setting_may_be_a_single_text(path, value):
    as_text = outcome(with_value(path, value))
    assert as_text == outcome(with_value(path, [value]))
    if path[0] != "choices":
        assert not isinstance(as_text, str), as_text


# ------------------------------------------------------------------------------ the same results from every job


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A small office folder, flagged and tiered once, so that every job has something to do."""
    folder = tmp_path_factory.mktemp("office")
    write_sample(folder, generate(80, 600, seed=11))
    run_jobs(folder, as_of=AS_OF)
    return folder


def results_of_every_job(folder: Path, overrides: dict) -> dict:
    """sync + flag + tiers (dry run), the notices (dry run) and the month's figures, with these settings."""
    settings = load_settings(folder, overrides=overrides)
    run = run_jobs(folder, as_of=AS_OF, dry_run=True, settings=settings)
    notices = make_notices(folder, as_of=AS_OF, dry_run=True, settings=settings)
    register = read_table(settings.register_path, settings.register)
    tracker = read_table(settings.tracker_path, settings.tracker)
    cal, _warn = office_calendar(folder, settings)
    figures = monthly.monthly_figures(
        {c.name: tracker.values(c.name) for c in tracker.schema.columns},
        {c.name: register.values(c.name) for c in register.schema.columns},
        OCTOBER,
        as_of=AS_OF,
        cal=cal,
        sla_rules=settings.sla,
        rules=settings.summary.rules,
    )
    return {
        "changes": [(c.workbook, c.ref, c.column, c.old, c.new) for c in run.changes],
        "problems": [str(p) for p in run.problems],
        "notices": [(n.kind, n.key, n.rows) for n in notices.made],
        "stamps": [(c.ref, c.new) for c in notices.changes],
        "figures": figures,
    }


def nested(path: tuple, value) -> dict:
    """The override setting `path` (keys only) to `value`."""
    out: dict = {}
    node = out
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return out


def sla_rule_override(key: str, value) -> dict:
    rules = copy.deepcopy(default_settings()["sla"]["rules"])
    rules[0][key] = value
    return {"sla": {"rules": rules}}


def when_override(kind: str, n: int, op: str, value) -> dict:
    when = copy.deepcopy(default_settings()["notices"]["kinds"][kind]["when"])
    when[n][op] = value
    return {"notices": {"kinds": {kind: {"when": when}}}}


JOB_CASES = {
    # the case of issue 11: one text was split into the characters 已, 关, 闭 by sync and the report
    "sla.closed_statuses": lambda v: nested(("sla", "closed_statuses"), v),
    "sla.waiting_statuses": lambda v: nested(("sla", "waiting_statuses"), v),
    "escalation.steps": lambda v: nested(("escalation", "steps"), v),
    "calendar.office_hours": lambda v: nested(("calendar", "office_hours"), v),
    "calendar.closures": lambda v: nested(("calendar", "closures"), v),
    "calendar.extra_workdays": lambda v: nested(("calendar", "extra_workdays"), v),
    "sla.rules[1].request_type": lambda v: sla_rule_override("request_type", v),
    "notices.kinds.survey.when[1].in": lambda v: when_override("survey", 0, "in", v),
    "notices.kinds.settlement.when[1].starts_with": lambda v: when_override("settlement", 0, "starts_with", v),
}
JOB_VALUES = {
    "sla.closed_statuses": "已关闭",
    "sla.waiting_statuses": "处理中",
    "escalation.steps": "resolve",
    "calendar.office_hours": "09:00-17:00",
    "calendar.closures": "2026-11-16",
    "calendar.extra_workdays": "2026-11-15",
    "sla.rules[1].request_type": "投诉",
    "notices.kinds.survey.when[1].in": "已解决",
    "notices.kinds.settlement.when[1].starts_with": "逾期",
}


@pytest.mark.parametrize("name", list(JOB_CASES))
def test_a_single_text_and_a_list_give_the_same_results_from_every_job(office, name):
    make, value = JOB_CASES[name], JOB_VALUES[name]
    as_text = results_of_every_job(office, make(value))
    as_list = results_of_every_job(office, make([value]))
    assert as_text == as_list
    assert as_text != results_of_every_job(office, {}), "the setting should change something, or it proves nothing"


def test_an_alias_means_its_value_everywhere(office):
    assert results_of_every_job(office, nested(("sla", "closed_statuses"), "closed")) == results_of_every_job(
        office, nested(("sla", "closed_statuses"), ["已关闭"])
    )


# ------------------------------------------------------------------------------ typed, once, with clear messages


def test_load_settings_reads_every_section_once(tmp_path):
    (tmp_path / "toolkit.toml").write_text('[sla]\nclosed_statuses = "closed"\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    assert settings.sla.closed_statuses == frozenset({"已关闭"})
    assert settings.escalation is settings.sla.escalation
    assert settings.tiers.tiers == ("A", "B", "C")
    assert settings.visits.months_for("B") == 3
    assert settings.summary.rules.tiers == ("A", "B", "C", "新客户")
    assert settings.excel.panel.file == "control_panel.xlsm"
    assert settings.notices.kinds["ack"].when[1].arg == ("待处理", "处理中", "待客户回复")
    assert shipped_settings() == dataclasses.replace(load_settings(tmp_path / "elsewhere"), folder=Path("."))


def test_a_bad_setting_anywhere_stops_every_job_with_file_key_expected_and_found(tmp_path):
    (tmp_path / "toolkit.toml").write_text('[notices.kinds.ack]\naudience = "everyone"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path)
    assert str(err.value) == (
        f"{tmp_path / 'toolkit.toml'}: setting 'notices.kinds.ack.audience' should be customer or internal, "
        "but is 'everyone'"
    )


def test_a_bad_date_in_the_calendar_is_named():
    with pytest.raises(SettingsError, match=r"'calendar.closures' should be a list of dates .* but is 'next friday'"):
        read_settings(with_value(("calendar", "closures"), ["next friday"]), "toolkit.toml")


def test_the_one_department_head_text():
    esc = shipped_settings().escalation
    assert esc.department_head_text("售后服务部") == "部门负责人 (售后服务部)"
    assert esc.notify(3, "张三", "售后服务部") == "客服中心主任; 部门负责人 (售后服务部)"


def test_the_settings_and_the_rules_know_the_same_names():
    assert set(CONDITIONS) == set(CONDITION_KINDS)
    assert tuple(MASKS) == MASK_NAMES
