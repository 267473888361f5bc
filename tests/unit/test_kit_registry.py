"""The kit registry on SQLite and on a real PostgreSQL server: identity, uniqueness, lifecycle, audit."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from vardmote.kits.leases import run_owner
from vardmote.kits.record import KitRecord
from vardmote.kits.registry.database import HEAD_REVISION, MIGRATIONS, current_revision, open_engine
from vardmote.kits.registry.queries import find_kit
from vardmote.kits.registry.registry import DeviceIds, KitRegistry, RegistryError
from vardmote.kits.registry.tables import Kit
from vardmote.region.catalogue import load_catalogue

CATALOGUE = load_catalogue()
TAB = "samsung-galaxy-tab-s10-plus-5g"
TIMRA, ANGE = "2262", "2260"  # example data: Alt 2 and Alt 1
IMEI_A, IMEI_B = "490154203237518", "352099001761481"
ICCID_A, ICCID_B = "89460012345678901236", "89460000000000000028"


@pytest.fixture
def registry(engine: Engine) -> KitRegistry:
    return KitRegistry(engine, CATALOGUE, actor="tekniker@timra.example")


def enroll(
    registry: KitRegistry, serial: str, code: str = TIMRA, imei: str | None = None, iccid: str | None = None
) -> str:
    owner = run_owner()
    kit, _ = registry.register(DeviceIds(serial, imei, iccid), model=TAB, municipality_code=code, owner=owner)
    return registry.complete_enrollment(kit.asset_tag, f"bundle:{serial}", owner)[0].asset_tag


def test_asset_tags_are_region_kommunkod_and_a_sequence_per_municipality(registry: KitRegistry) -> None:
    assert [enroll(registry, s) for s in ("A1", "A2")] == ["RVN-2262-00001", "RVN-2262-00002"]
    assert enroll(registry, "B1", ANGE) == "RVN-2260-00001"


def test_support_follows_the_municipalitys_alternative(registry: KitRegistry) -> None:
    assert registry.show(enroll(registry, "A1", TIMRA)).support_party == "municipality"
    assert registry.show(enroll(registry, "B1", ANGE)).support_party == "region"


def test_serial_imei_and_iccid_are_unique_among_active_kits(registry: KitRegistry) -> None:
    enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    for ids, what in (
        (DeviceIds("A2", IMEI_A), f"IMEI {IMEI_A} already belongs to kit RVN-2262-00001 (enrolled)"),
        (DeviceIds("A2", None, ICCID_A), f"ICCID {ICCID_A} already belongs to kit RVN-2262-00001 (enrolled)"),
    ):
        with pytest.raises(RegistryError) as raised:
            registry.register(ids, model=TAB, municipality_code=TIMRA, owner=run_owner())
        assert str(raised.value) == what
    with pytest.raises(RegistryError) as raised:
        registry.register(DeviceIds("A1"), model="other-model", municipality_code=TIMRA, owner=run_owner())
    assert str(raised.value) == f"serial A1 already belongs to kit RVN-2262-00001 (2262, {TAB})"


def test_completing_an_enrollment_again_changes_nothing_and_logs_nothing(registry: KitRegistry) -> None:
    owner = run_owner()
    kit, _ = registry.register(DeviceIds("A1", IMEI_A, ICCID_A), model=TAB, municipality_code=TIMRA, owner=owner)
    first, changed = registry.complete_enrollment(kit.asset_tag, "bundle:A1", owner)
    again, changed_again = registry.complete_enrollment(kit.asset_tag, "bundle:A1", owner)
    assert (first.status, changed, changed_again) == ("enrolled", True, False)
    assert again == first
    _, entries, _ = registry.history(kit.asset_tag)
    assert [e.action for e in entries] == ["register", "enroll"]


def test_a_re_registration_of_an_unfinished_kit_picks_it_up_and_other_kits_ids_are_refused(
    registry: KitRegistry,
) -> None:
    owner = run_owner()
    pending, work_left = registry.register(
        DeviceIds("A1", IMEI_A, ICCID_A), model=TAB, municipality_code=TIMRA, owner=owner
    )
    again, work_left_again = registry.register(
        DeviceIds("A1", IMEI_A, ICCID_A), model=TAB, municipality_code=TIMRA, owner=owner
    )
    assert (again.asset_tag, work_left, work_left_again) == (pending.asset_tag, True, True)
    with pytest.raises(RegistryError, match=f"ICCID {ICCID_A} already belongs to kit {pending.asset_tag}"):
        registry.register(DeviceIds("B1", IMEI_B, ICCID_A), model=TAB, municipality_code=TIMRA, owner=owner)


def test_look_ups_by_serial_imei_and_iccid_search_the_indexes_instead_of_scanning(tmp_path: Path) -> None:
    """Every statement that reads kits during registration, enrollment and `kit show` is planned by SQLite
    as index searches: a bound 'retired' would keep the partial indexes out of use (a table scan per
    look-up, on a registry of 100,000 kits)."""
    engine = open_engine(f"sqlite:///{tmp_path / 'registry.sqlite'}")
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and " kits" in statement:
            statements.append((statement, parameters))

    registry = KitRegistry(engine, CATALOGUE, actor="tekniker@timra.example")
    tag = enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    enroll(registry, "A2", imei=IMEI_B, iccid=ICCID_B)
    with pytest.raises(RegistryError):
        registry.register(DeviceIds("A3", IMEI_A), model=TAB, municipality_code=TIMRA, owner=run_owner())
    assert find_kit(engine, "A2") is not None
    registry.retire(tag, "broken", None)
    assert len(statements) >= 6
    with engine.connect() as connection:
        for statement, parameters in statements:
            plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            assert not any(step.startswith("SCAN kits") for step in plan), (statement, plan)
    engine.dispose()


def test_the_database_itself_refuses_a_second_active_kit_with_the_same_serial(
    engine: Engine, registry: KitRegistry
) -> None:
    enroll(registry, "A1")
    with Session(engine) as session, session.begin():
        kit = session.query(Kit).one()
        clone = Kit(
            **{c.name: getattr(kit, c.name) for c in Kit.__table__.columns if c.name not in ("id", "asset_tag")},
            asset_tag="RVN-2262-09999",
        )
        session.add(clone)
        with pytest.raises(IntegrityError):
            session.flush()


def test_retiring_a_kit_frees_its_device_and_sim(registry: KitRegistry) -> None:
    tag = enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    retired = registry.retire(tag, "end of contract", "RITM-7")
    assert (retired.status, retired.iccid) == ("retired", None)
    again = enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    assert again == "RVN-2262-00002"


def test_a_replacement_keeps_the_asset_tag_and_the_sim_and_records_why(registry: KitRegistry) -> None:
    tag = enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    owner = run_owner()
    replaced = registry.replace(
        tag, DeviceIds("A9", IMEI_B), old_status="rma", reason="cracked screen", ticket="INC-42", owner=owner
    )
    assert (replaced.asset_tag, replaced.serial, replaced.iccid, replaced.status) == (tag, "A9", ICCID_A, "registered")
    registry.complete_enrollment(tag, "bundle:A9", owner)
    _, entries, devices = registry.history(tag)
    assert [e.action for e in entries] == ["register", "enroll", "replace", "enroll"]
    replace = entries[2]
    assert (replace.reason, replace.ticket) == ("cracked screen", "INC-42")
    assert '"sim":"kept"' in replace.details
    assert [(d.serial, d.removal_status) for d in devices] == [("A1", "rma"), ("A9", None)]


def test_a_returned_tablets_serial_finds_its_kit_for_look_ups_but_names_nothing_to_change(
    engine: Engine, registry: KitRegistry
) -> None:
    tag = enroll(registry, "A1", imei=IMEI_A, iccid=ICCID_A)
    owner = run_owner()
    registry.replace(tag, DeviceIds("A9", IMEI_B), old_status="rma", reason="cracked screen", ticket=None, owner=owner)
    registry.complete_enrollment(tag, "bundle:A9", owner)

    found = find_kit(engine, "A1")
    assert found is not None
    assert (found.asset_tag, found.serial) == (tag, "A9")
    assert registry.history("A1")[0].asset_tag == tag
    with pytest.raises(RegistryError, match="no kit with asset tag, serial, IMEI or ICCID 'A1'"):
        registry.show("A1")  # what retire, replace and move resolve: only the kit's current tablet

    registry.retire(tag, "end of contract", None)
    retired = find_kit(engine, "A9")
    assert retired is not None
    assert (retired.asset_tag, retired.status) == (tag, "retired")
    newer = enroll(registry, "A1", imei=IMEI_A)  # the repaired tablet goes out again in a new kit
    assert getattr(find_kit(engine, "A1"), "asset_tag", None) == newer != tag
    assert find_kit(engine, "never-seen") is None


def test_a_registry_from_the_first_schema_revision_is_upgraded_in_place_on_open(registry_url: str) -> None:
    old = create_engine(registry_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    old.dispose()

    engine = open_engine(registry_url)
    try:
        assert current_revision(engine) == HEAD_REVISION != "0001"
        indexes = {index["name"] for index in inspect(engine).get_indexes("kit_devices")}
        assert "ix_kit_devices_serial" in indexes
    finally:
        engine.dispose()


def test_two_technicians_first_runs_on_a_fresh_database_at_once_both_succeed(registry_url: str) -> None:
    """Both open (and so migrate) the empty database and register the municipality's first kit at the
    same moment: each gets a kit, with its own tag."""
    barrier = threading.Barrier(2, timeout=60)
    results: dict[str, Any] = {}

    def technician(serial: str) -> None:
        try:
            barrier.wait()
            engine = open_engine(registry_url)
            try:
                registry = KitRegistry(engine, CATALOGUE, actor=f"tekniker-{serial}")
                barrier.wait()
                kit, _ = registry.register(DeviceIds(serial), model=TAB, municipality_code=TIMRA, owner=run_owner())
                results[serial] = kit.asset_tag
            finally:
                engine.dispose()
        except Exception as err:  # the test reports it
            results[serial] = err

    threads = [threading.Thread(target=technician, args=(serial,)) for serial in ("R52W700001", "R52W700002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(map(str, results.values())) == ["RVN-2262-00001", "RVN-2262-00002"]


def test_moves_made_before_aliases_existed_become_aliases_from_the_log(registry_url: str) -> None:
    """A registry of revision 0002 knows a kit's earlier tags only from its re-tag entries."""
    old = create_engine(registry_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with old.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO kits (id, asset_tag, municipality_code, alternative, model, serial, status, "
                "support_party, contents, mdm_driver, created_at, updated_at) VALUES (1, 'RVN-2281-00001', "
                "'2281', 2, :model, 'R52W700001', 'enrolled', 'municipality', '[]', 'bundle', :at, :at)"
            ),
            {"model": TAB, "at": "2026-01-01T00:00:00+00:00"},
        )
        for old_tag, new_tag in (("RVN-2260-00001", "RVN-2262-00001"), ("RVN-2262-00001", "RVN-2281-00001")):
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, asset_tag, reason, details, prev_hash, hash) "
                    "VALUES ('2026-01-01T00:00:00+00:00', 't', 'retag', :tag, 'moved', :details, '0', :hash)"
                ),
                {"tag": new_tag, "details": f'{{"old":{{"asset_tag":"{old_tag}"}}}}', "hash": new_tag},
            )
    old.dispose()
    engine = open_engine(registry_url)
    try:
        registry = KitRegistry(engine, CATALOGUE, actor="t")
        assert registry.show("RVN-2260-00001").asset_tag == "RVN-2281-00001"
        assert registry.show("RVN-2262-00001").asset_tag == "RVN-2281-00001"
        assert [e.asset_tag for e in registry.history("RVN-2281-00001")[1]] == ["RVN-2262-00001", "RVN-2281-00001"]
    finally:
        engine.dispose()


def test_moving_a_kit_retags_it_for_the_new_municipality_and_alternative(registry: KitRegistry) -> None:
    tag = enroll(registry, "A1", TIMRA)
    moved = registry.retag(tag, ANGE, "moved to Ånge hemsjukvård", "RITM-9")
    assert (moved.asset_tag, moved.alternative, moved.support_party) == ("RVN-2260-00001", 1, "region")
    _, entries, _ = registry.history(moved.asset_tag)
    assert [e.action for e in entries] == ["register", "enroll", "retag"]


def test_an_enrolled_kit_enrolled_again_is_a_no_op(registry: KitRegistry) -> None:
    tag = enroll(registry, "A1")
    kit, work_left = registry.register(DeviceIds("A1"), model=TAB, municipality_code=TIMRA, owner=run_owner())
    assert (kit.asset_tag, work_left) == (tag, False)
    count, _, _ = registry.verify_audit()
    assert count == 2


def test_an_interrupted_enrollment_is_taken_over_by_the_next_run(registry: KitRegistry) -> None:
    dead_owner = f"{run_owner().split(':')[0]}:999999999:deadbeef"  # a process that no longer exists
    kit, _ = registry.register(DeviceIds("A1"), model=TAB, municipality_code=TIMRA, owner=dead_owner)
    again, work_left = registry.register(DeviceIds("A1"), model=TAB, municipality_code=TIMRA, owner=run_owner())
    assert (again.asset_tag, again.status, work_left) == (kit.asset_tag, "registered", True)


def test_two_runs_enrolling_the_same_serial_at_once_exactly_one_succeeds(registry_url: str) -> None:
    open_engine(registry_url).dispose()  # the registry exists before technicians use it
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        engine = open_engine(registry_url)
        registry = KitRegistry(engine, CATALOGUE, actor="t")
        barrier.wait()
        try:
            kit, _ = registry.register(DeviceIds("SAME"), model=TAB, municipality_code=TIMRA, owner=run_owner())
            results.append(f"ok {kit.asset_tag}")
        except RegistryError as err:
            results.append(f"error {err}")
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.split()[0] for r in results) == ["error", "ok"]
    error = next(r for r in results if r.startswith("error"))
    assert "RVN-2262-00001" in error or "at the same moment" in error


def test_the_audit_log_chain_verifies_and_cannot_be_edited(engine: Engine, registry: KitRegistry) -> None:
    enroll(registry, "A1")
    count, _, breaks = registry.verify_audit()
    assert (count, breaks) == (2, [])
    with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("UPDATE audit_log SET reason = 'nothing happened'"))
    with engine.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("DELETE FROM audit_log"))


def test_tampering_behind_the_triggers_back_is_detected(engine: Engine, registry: KitRegistry) -> None:
    tag = enroll(registry, "A1")
    registry.retire(tag, "end of life", None)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            connection.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        connection.execute(text("UPDATE audit_log SET reason = 'routine check' WHERE action = 'retire'"))
    _, _, breaks = registry.verify_audit()
    assert [(b.entry_id, b.problem) for b in breaks] == [(3, "its content does not match its hash (it was altered)")]


def test_a_batch_commits_its_kits_together_and_a_failed_kit_takes_back_only_itself(
    registry: KitRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enrollment's kits, a chunk to a transaction on SQLite: a kit that fails after its rows and its
    audit entry are written is rolled back alone (the audit head with it), the others are committed, the
    chain verifies and this machine's anchor is where the log ends."""
    enroll(registry, "A1", imei=IMEI_A)
    record = KitRecord.from_fields

    def failing_for_b2(fields: Any) -> Any:
        if fields["serial"] == "B2":
            raise RegistryError("B2 fails after its writes")
        return record(fields)

    monkeypatch.setattr(KitRecord, "from_fields", staticmethod(failing_for_b2))
    owner = run_owner()
    failed = []
    with registry.batch():
        # The last fails after its writes: the anchor written at the commit must not count its entry.
        for ids in (DeviceIds("B1"), DeviceIds("B3", IMEI_A), DeviceIds("B4"), DeviceIds("B2")):
            try:
                registry.register(ids, model=TAB, municipality_code=ANGE, owner=owner)
            except RegistryError as err:
                failed.append(str(err))
        if registry.engine.dialect.name == "sqlite":  # not yet committed: another reader sees none of it
            with closing(sqlite3.connect(str(registry.engine.url.database))) as other:
                assert other.execute("SELECT count(*) FROM kits").fetchone() == (1,)
    assert failed == [f"IMEI {IMEI_A} already belongs to kit RVN-2262-00001 (enrolled)", "B2 fails after its writes"]
    monkeypatch.undo()
    assert [registry.show(s).asset_tag for s in ("B1", "B4")] == ["RVN-2260-00001", "RVN-2260-00002"]
    with pytest.raises(RegistryError):
        registry.show("B2")
    count, anchor, breaks = registry.verify_audit()
    assert (count, breaks) == (4, [])  # A1 registered and enrolled, B1 and B4 registered
    assert anchor.entries == 4


def test_a_batch_that_fails_writes_none_of_its_kits(registry: KitRegistry) -> None:
    owner = run_owner()

    def register_then_fail() -> None:
        with registry.batch():
            registry.register(DeviceIds("B1"), model=TAB, municipality_code=ANGE, owner=owner)
            raise OSError("the disk filled up")

    with pytest.raises(OSError, match="filled up"):
        register_then_fail()
    if registry.engine.dialect.name == "sqlite":  # on PostgreSQL each kit is its own transaction
        with pytest.raises(RegistryError):
            registry.show("B1")
    assert registry.verify_audit()[2] == []
