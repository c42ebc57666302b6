"""Ads rules on plain values: tokens, creatives, targeting, pacing, choice, outcomes, report arithmetic."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from services.ads import domain
from services.core.errors import InvalidArgument

NOW = dt.datetime(2030, 3, 4, 12, 0, tzinfo=dt.UTC)


def _claims(**fields: object) -> domain.TokenClaims:
    values: dict[str, object] = {
        "token_id": "t" * 32,
        "ad_id": "a" * 32,
        "campaign_id": "c" * 32,
        "placement": 3,
        "user_id": "",
        "device_id": "dev",
        "select_time": NOW,
        "country": "UG",
    }
    values.update(fields)
    return domain.TokenClaims(**values)  # type: ignore[arg-type]


def test_tokens_round_trip_and_refuse_tampering_and_other_keys() -> None:
    tokens = domain.ImpressionTokens(b"secret")
    token = tokens.mint(_claims())
    assert tokens.verify(token) == _claims()
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token.replace("v1.", "v2."), token + "=", "a.b.c", ""):
        with pytest.raises(InvalidArgument) as caught:
            tokens.verify(bad)
        assert caught.value.reason == "IMPRESSION_TOKEN_INVALID"
    with pytest.raises(InvalidArgument):
        domain.ImpressionTokens(b"other").verify(token)


def test_tokens_are_bound_to_their_viewer() -> None:
    anonymous, signed_in = _claims(), _claims(user_id="u1", device_id="")
    assert domain.bound_to(anonymous, domain.Viewer(device_id="dev"))
    assert not domain.bound_to(anonymous, domain.Viewer(device_id="other"))
    assert not domain.bound_to(anonymous, domain.Viewer(user_id="u1", device_id="dev"))
    assert domain.bound_to(signed_in, domain.Viewer(user_id="u1"))
    assert not domain.bound_to(signed_in, domain.Viewer(user_id="u2"))


@pytest.mark.parametrize(
    ("placement", "creative", "ok"),
    [
        (domain.PLACEMENT_LEADERBOARD, domain.Creative(image_url="https://x.example/a.png", width=728, height=90), True),
        (domain.PLACEMENT_MOBILE_BANNER, domain.Creative(image_url="https://x.example/a.png", width=300, height=250), False),
        (domain.PLACEMENT_PRE_ROLL, domain.Creative(video_url="https://x.example/a.mp4", duration_ms=15_000), True),
        (domain.PLACEMENT_PRE_ROLL, domain.Creative(video_url="https://x.example/a.mp4", duration_ms=31_000), False),
        (
            domain.PLACEMENT_PRE_ROLL,
            domain.Creative(video_url="https://x.example/a.mp4", duration_ms=20_000, skip_offset_ms=500),
            False,
        ),
        (domain.PLACEMENT_PRE_ROLL, domain.Creative(video_url="http://x.example/a.mp4", duration_ms=20_000), False),
        (domain.PLACEMENT_PRE_ROLL, domain.Creative(), False),
    ],
)
def test_creatives_must_fit_their_placement(placement: int, creative: domain.Creative, ok: bool) -> None:
    if ok:
        domain.validate_creative(placement, creative)
    else:
        with pytest.raises(InvalidArgument) as caught:
            domain.validate_creative(placement, creative)
        assert caught.value.reason == "INVALID_CREATIVE"


def test_targeting_is_and_between_lists_or_within() -> None:
    targeting = domain.Targeting(countries=("UG", "KE"), device_types=(3,), excluded_titles=("titles/bad",))
    base = domain.AdRequest(placement=3, viewer=domain.Viewer(device_id="d"), country="KE", device_type=3)
    assert domain.matches(targeting, base)
    assert not domain.matches(targeting, dataclasses.replace(base, device_type=4))
    assert not domain.matches(targeting, dataclasses.replace(base, country="TZ"))
    assert not domain.matches(targeting, dataclasses.replace(base, title="titles/bad/seasons/1/episodes/2"))
    genre = domain.Targeting(genres=("Drama",))
    assert not domain.matches(genre, base)  # no title facts: genre-targeted ads are skipped
    assert domain.matches(genre, dataclasses.replace(base, title="titles/x", title_genres=("Drama", "Comedy")))


def test_even_pacing_follows_the_clock_and_frontloaded_runs_ahead() -> None:
    start, end = NOW, NOW + dt.timedelta(hours=10)
    quarter = NOW + dt.timedelta(hours=2, minutes=30)
    assert domain.pacing_allows(1000, 250, start, end, quarter, mode="even")
    assert not domain.pacing_allows(1000, 251, start, end, quarter, mode="even")
    assert domain.pacing_allows(1000, 370, start, end, quarter, mode="frontloaded")
    assert domain.pacing_allows(1000, 999, start, end, quarter, mode="asap")
    assert domain.pacing_allows(None, 10**9, start, end, quarter, mode="even")


def test_priority_wins_and_weight_splits() -> None:
    def candidate(priority: int, weight: int, ad_id: str) -> domain.ServeableAd:
        spec = domain.AdSpec(priority=priority, weight=weight)
        return domain.ServeableAd(domain.Ad(ad_id, spec), domain.Campaign("c", domain.CampaignSpec()))

    pool = [candidate(50, 900, "heavy"), candidate(50, 100, "light"), candidate(10, 1000, "low")]
    rng = random.Random(7)
    picks = [domain.choose(pool, rng).id for _ in range(2000)]  # type: ignore[union-attr]
    assert "low" not in picks
    assert 0.85 < picks.count("heavy") / 2000 < 0.95
    assert domain.choose([], rng) is None


def test_video_outcomes_follow_the_mrc_and_skip_rules() -> None:
    assert domain.video_outcome(domain.OUTCOME_SKIPPED, 3000, 20_000, 5000, "v").outcome == domain.OUTCOME_ABANDONED
    assert domain.video_outcome(domain.OUTCOME_SKIPPED, 6000, 20_000, 5000, "v").outcome == domain.OUTCOME_SKIPPED
    assert domain.video_outcome(domain.OUTCOME_SKIPPED, 6000, 20_000, 0, "v").outcome == domain.OUTCOME_ABANDONED
    assert domain.video_outcome(domain.OUTCOME_ABANDONED, 1999, 20_000, 0, "v").viewable is False
    assert domain.video_outcome(domain.OUTCOME_ABANDONED, 2000, 20_000, 0, "v").viewable is True
    with pytest.raises(InvalidArgument):
        domain.video_outcome(domain.OUTCOME_COMPLETED, 20_001, 20_000, 0, "v")


def test_rates_never_exceed_one_and_ecpm_is_revenue_per_thousand() -> None:
    counts = domain.Counts(impressions=3, clicks=1, revenue_micros=6000)
    assert domain.ratio(counts.clicks, counts.impressions) == pytest.approx(1 / 3)
    assert domain.ratio(5, 0) == 0.0
    assert domain.ratio(5, 4) == 1.0
    assert domain.ecpm_micros(counts) == 2_000_000


def test_date_ranges_cover_local_days() -> None:
    range_ = domain.date_range(dt.date(2030, 1, 1), dt.date(2030, 1, 2), "Africa/Kampala", NOW)
    assert range_.utc_start == dt.datetime(2029, 12, 31, 21, tzinfo=dt.UTC)
    assert len(range_.hours()) == 48
    assert len(range_.hours(dt.date(2030, 1, 2))) == 24
    with pytest.raises(InvalidArgument):
        domain.date_range(dt.date(2030, 1, 2), dt.date(2030, 1, 1), "UTC", NOW)


def test_serving_status_reports_the_first_reason() -> None:
    ad = domain.Ad(
        "a",
        domain.AdSpec(
            state=domain.ACTIVE, pricing_model=domain.CPM, rate_micros=2_000_000, budget=domain.Budget(daily_micros=4000)
        ),
    )
    campaign = domain.Campaign("c", domain.CampaignSpec(state=domain.ACTIVE))
    assert domain.serving_status(ad, campaign, NOW, domain.Spend()) == domain.SERVING
    assert domain.serving_status(ad, campaign, NOW, domain.Spend(ad_today=2000)) == domain.SERVING
    assert domain.serving_status(ad, campaign, NOW, domain.Spend(ad_today=2001)) == domain.S_DAILY_BUDGET_EXHAUSTED
    paused = domain.Campaign("c", domain.CampaignSpec(state=domain.PAUSED))
    assert domain.serving_status(ad, paused, NOW, domain.Spend()) == domain.S_CAMPAIGN_PAUSED
