"""An audit log that cannot be quietly shortened: whoever can write the database may drop the triggers,
cut the log's tail, empty it, move the registry's head along and edit kit rows; each of these fails the
verification. What stays possible is in docs/technician-runbook.md ("What the audit log can prove")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from vardmote.kits.leases import run_owner
from vardmote.kits.registry.anchor import Anchor, advance, load
from vardmote.kits.registry.audit import GENESIS, entry_hash
from vardmote.kits.registry.database import open_engine
from vardmote.kits.registry.registry import DeviceIds, KitRegistry
from vardmote.kits.registry.tables import AuditEntry
from vardmote.region.catalogue import load_catalogue

CATALOGUE = load_catalogue()
TAB, TIMRA = "samsung-galaxy-tab-s10-plus-5g", "2262"


@pytest.fixture(autouse=True)
def own_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit-anchors.json"
    monkeypatch.setenv("VARDMOTE_AUDIT_ANCHOR", str(path))
    return path


@pytest.fixture
def engine(registry_url: str) -> Iterator[Engine]:
    engine = open_engine(registry_url)
    yield engine
    engine.dispose()


@pytest.fixture
def registry(engine: Engine) -> KitRegistry:
    return KitRegistry(engine, CATALOGUE, actor="tekniker@example")


def two_kits(registry: KitRegistry) -> list[str]:
    """Two enrolled kits, the second retired: six entries."""
    tags = []
    for serial in ("R52W700001", "R52W700002"):
        owner = run_owner()
        kit, _ = registry.register(DeviceIds(serial), model=TAB, municipality_code=TIMRA, owner=owner)
        registry.complete_enrollment(kit.asset_tag, f"bundle:{serial}", owner)
        tags.append(kit.asset_tag)
    registry.retire(tags[1], "end of life", None)
    return tags


def tamper(engine: Engine, *statements: str) -> None:
    """As someone with write access to the database would: around the append-only triggers."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"))
        for statement in statements:
            connection.execute(text(statement))


def problems(registry: KitRegistry, expect: Anchor | None = None) -> list[str]:
    return [b.problem for b in registry.verify_audit(expect)[2]]


def test_an_untouched_log_verifies_and_its_head_is_the_anchor(registry: KitRegistry, own_anchor: Path) -> None:
    two_kits(registry)
    count, head, breaks = registry.verify_audit()
    assert (count, breaks) == (5, [])
    assert head.entries == 5
    assert own_anchor.stat().st_mode & 0o777 == 0o600
    assert registry.verify_audit(head)[2] == []


def test_a_cut_tail_with_the_head_moved_back_fails(engine: Engine, registry: KitRegistry) -> None:
    two_kits(registry)
    anchored = registry.verify_audit()[1]
    with engine.connect() as connection:
        fourth = connection.execute(text("SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET 3")).scalar_one()
    # The retirement is cut off, the head moved to the entry before, the kit's row put back as it was.
    tamper(
        engine,
        "DELETE FROM audit_log WHERE action = 'retire'",
        f"UPDATE audit_head SET last_hash = '{fourth}', entries = 4",
        "UPDATE kits SET status = 'enrolled' WHERE asset_tag = 'RVN-2262-00002'",
    )
    assert problems(registry) == [f"the log has 4 entries, but 5 were anchored ({anchored})"]


def test_an_emptied_log_with_its_head_reset_fails_even_without_an_anchor(
    engine: Engine, registry: KitRegistry, own_anchor: Path
) -> None:
    tags = two_kits(registry)
    tamper(engine, "DELETE FROM audit_log", f"UPDATE audit_head SET last_hash = '{GENESIS}', entries = 0")
    assert "the log has 0 entries, but 5 were anchored" in problems(registry)[0]
    own_anchor.unlink()  # another machine, which never anchored this registry: the kits' rows still tell
    assert problems(registry) == [f"kit {tag} has no entry in the log (entries were removed)" for tag in tags]


def test_an_edited_kit_row_fails(engine: Engine, registry: KitRegistry) -> None:
    tags = two_kits(registry)
    tamper(engine, f"UPDATE kits SET status = 'enrolled' WHERE asset_tag = '{tags[1]}'")
    assert problems(registry) == [f"kit {tags[1]} is not as its newest entry left it (its row was edited)"]
    tamper(engine, f"UPDATE kits SET status = 'retired', support_party = 'region' WHERE asset_tag = '{tags[0]}'")
    assert f"kit {tags[0]} is not as its newest entry left it (its row was edited)" in problems(registry)


def test_an_anchor_kept_elsewhere_catches_a_re_chained_rewrite(
    engine: Engine, registry: KitRegistry, own_anchor: Path
) -> None:
    """The chain's hashes are unkeyed: whoever can write the database can rewrite the newest entry and
    hash it again, and move the head. Only an anchor kept outside the database still tells."""
    two_kits(registry)
    kept = registry.verify_audit()[1]
    own_anchor.unlink()
    with Session(engine) as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert newest is not None
        newest.reason = "routine check"
        rewritten = entry_hash(newest)
        newest_id = newest.id
    tamper(
        engine,
        f"UPDATE audit_log SET reason = 'routine check', hash = '{rewritten}' WHERE id = {newest_id}",
        f"UPDATE audit_head SET last_hash = '{rewritten}'",
    )
    assert problems(registry) == []  # on its own, the rewrite is consistent
    assert problems(registry, kept) == [f"is not entry 5 of the anchor {kept}"]


def test_the_anchor_only_moves_forward(registry: KitRegistry, own_anchor: Path) -> None:
    two_kits(registry)
    later = load(registry.engine)
    assert later is not None
    advance(registry.engine, Anchor(1, GENESIS))
    assert load(registry.engine) == later
