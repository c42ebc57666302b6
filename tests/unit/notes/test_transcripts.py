"""Transcript parsing and the contract's refusals, on plain values."""

from __future__ import annotations

import pytest

from services.core.errors import FailedPrecondition, InvalidArgument
from services.notes import transcripts as t
from services.notes.youtube import parse_timed_text, video_id_of

WORDS = " ".join(f"word{i}" for i in range(120))


def test_srt_keeps_cue_times_and_strips_tags() -> None:
    text = f"1\n00:00:01,500 --> 00:00:04,000\n<i>Hello</i> &amp; welcome\n\n2\n00:01:02,000 --> 00:01:05,250\n{WORDS}\n"
    parsed = t.parse_transcript(text)
    assert [(s.text[:15], s.start, s.end) for s in parsed.segments] == [
        ("Hello & welcome", 1.5, 4.0),
        ("word0 word1 wor", 62.0, 65.25),
    ]
    assert parsed.timed
    assert parsed.duration == 65.25
    assert t.detect_format(text) == t.SRT


def test_webvtt_with_header_notes_and_hours() -> None:
    text = f"WEBVTT\n\nNOTE made by hand\n\ncue-1\n01:00:00.000 --> 01:00:02.500 align:start\n{WORDS}\n"
    parsed = t.parse_transcript(text)
    assert parsed.segments[0].start == 3600.0
    assert parsed.segments[0].end == 3602.5
    assert t.detect_format(text) == t.WEBVTT


def test_auto_caption_rolling_repeats_are_dropped() -> None:
    text = "\n\n".join(
        [
            "WEBVTT",
            "00:00:00.000 --> 00:00:02.000\nthe cell",
            "00:00:02.000 --> 00:00:04.000\nthe cell membrane",
            "00:00:04.000 --> 00:00:06.000\nthe cell membrane",
            f"00:00:06.000 --> 00:00:08.000\n{WORDS}",
        ]
    )
    assert [s.text for s in t.parse_transcript(text).segments][:2] == ["the cell", "membrane"]


def test_plain_text_has_no_offsets() -> None:
    parsed = t.parse_transcript(f"{WORDS}\n\nSecond paragraph here.")
    assert not parsed.timed
    assert len(parsed.segments) == 2
    assert parsed.segments[0].start is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "INVALID_ARGUMENT"),
        ("   \n  ", "INVALID_ARGUMENT"),
        ("only a few words here", "TRANSCRIPT_TOO_SHORT"),
        ("x " * 100_001, "TRANSCRIPT_TOO_LONG"),
        ("bad\x00bytes " * 200, "INVALID_ARGUMENT"),
        ("1\n00:00:05,000 --> 00:00:01,000\nbackwards\n", "INVALID_ARGUMENT"),
        ("1\n00:00:01,000 --> 00:00:02,000\nok\n\nno timing line at all\nhere\n", "INVALID_ARGUMENT"),
    ],
)
def test_refusals_carry_the_contract_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        t.parse_transcript(text)
    assert caught.value.reason == reason
    assert caught.value.violations
    assert len(caught.value.message) < 200


def test_wrong_encoding_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        t.decode("caf\xe9 ".encode("latin-1") * 50)
    assert t.decode("\ufeffhello".encode()) == "hello"
    assert t.decode("héllo".encode("utf-16")) == "héllo"


def test_three_hours_is_the_limit() -> None:
    t.check_duration(3 * 3600)
    with pytest.raises(InvalidArgument) as caught:
        t.check_duration(3 * 3600 + 1)
    assert caught.value.reason == "VIDEO_TOO_LONG"
    assert caught.value.metadata["max_duration_seconds"] == "10800"


def test_chapters_follow_youtubes_rule() -> None:
    described = "Intro text\n0:00 Welcome\n2:30 - Light reactions\n1:02:03 Calvin cycle\nthanks"
    assert [(c.title, c.start) for c in t.chapters_from_description(described)] == [
        ("Welcome", 0.0),
        ("Light reactions", 150.0),
        ("Calvin cycle", 3723.0),
    ]
    assert t.chapters_from_description("1:00 late start\n2:00 b\n3:00 c") == ()
    assert t.chapters_from_description("0:00 a\n2:00 b") == ()


@pytest.mark.parametrize(
    ("uri", "video_id"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "dQw4w9WgXcQ"),
        ("youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://youtube.com/live/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ],
)
def test_single_video_urls(uri: str, video_id: str) -> None:
    assert video_id_of(uri) == video_id


@pytest.mark.parametrize(
    "uri", ["https://www.youtube.com/playlist?list=PL1", "https://www.youtube.com/@channel", "https://vimeo.com/1", "not a url"]
)
def test_other_urls_are_unsupported(uri: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        video_id_of(uri)
    assert caught.value.reason == "UNSUPPORTED_SOURCE"


def test_timed_text_xml() -> None:
    xml = '<transcript><text start="1.5" dur="2">Hello &amp;amp; bye</text><text start="4" dur="1"> </text></transcript>'
    assert [(s.text, s.start, s.end) for s in parse_timed_text(xml)] == [("Hello & bye", 1.5, 3.5)]
    with pytest.raises(FailedPrecondition):
        parse_timed_text("<transcript></transcript>")
