"""Media's rules on plain values: part plans, the ladder, caps, probe and progress parsing, text tracks, playlists."""

from __future__ import annotations

import pytest

from services.core.errors import InvalidArgument, ResourceExhausted
from services.media import domain

MiB = domain.MiB

PROBE = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from '/tmp/clip.mp4':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 1840 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 1761 kb/s, \
23.98 fps, 24 tbr
  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
"""


def test_part_plan_and_what_to_sign() -> None:
    plan = domain.part_plan(130 * MiB)
    assert [(p.part_number, p.offset_bytes, p.size_bytes) for p in plan] == [
        (1, 0, 64 * MiB),
        (2, 64 * MiB, 64 * MiB),
        (3, 128 * MiB, 2 * MiB),
    ]
    assert [p.part_number for p in domain.parts_to_sign(plan, stored=[2], requested=[])] == [1, 3]
    assert [p.part_number for p in domain.parts_to_sign(plan, stored=[], requested=[3, 3])] == [3]
    with pytest.raises(InvalidArgument):
        domain.parts_to_sign(plan, stored=[], requested=[4])
    assert domain.missing_parts(plan, {1: 64 * MiB, 2: 5, 3: 2 * MiB}) == [2]


def test_upload_protocol_limits_and_quota() -> None:
    common = {"filename": "a.mp4", "content_type": "video/mp4", "sha256": "", "stored_bytes": 0}
    assert domain.check_upload(size_bytes=MiB, is_admin=False, protocol="", **common) == "single"
    assert domain.check_upload(size_bytes=200 * MiB, is_admin=False, protocol="", **common) == "multipart"
    with pytest.raises(InvalidArgument) as big:
        domain.check_upload(size_bytes=6 * domain.GiB, is_admin=False, protocol="", **common)
    assert big.value.reason == "FILE_TOO_LARGE"
    assert domain.check_upload(size_bytes=6 * domain.GiB, is_admin=True, protocol="", **common) == "multipart"
    with pytest.raises(ResourceExhausted):
        domain.check_upload(size_bytes=3 * domain.GiB, is_admin=False, protocol="", **{**common, "stored_bytes": 8 * domain.GiB})


def test_ladder_never_upscales_and_keeps_the_aspect_ratio() -> None:
    assert [r.name for r in domain.ladder(1920, 1080, "standard")] == ["240p", "360p", "480p", "720p", "1080p"]
    assert [(r.name, r.width, r.height) for r in domain.ladder(1280, 720, "standard")][-1] == ("720p", 1280, 720)
    assert [r.name for r in domain.ladder(640, 360, "lecture")] == ["240p", "360p"]
    portrait = domain.ladder(1080, 1920, "standard")
    assert (portrait[-1].width, portrait[-1].height) == (1080, 1920)
    rotated = domain.ladder(1920, 1080, "standard", rotation=90)
    assert (rotated[-1].width, rotated[-1].height) == (1080, 1920)
    tiny = domain.ladder(320, 180, "standard")
    assert [(r.width, r.height) for r in tiny] == [(320, 180)]
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in domain.ladder(1000, 562, "standard"))


def test_plan_caps() -> None:
    assert domain.cap_for("free", anonymous=False, privileged=False, requested="") == "480p"
    assert domain.cap_for("basic", anonymous=False, privileged=False, requested="") == "720p"
    assert domain.cap_for("premium", anonymous=False, privileged=False, requested="") == "1080p"
    assert domain.cap_for("premium", anonymous=True, privileged=False, requested="") == "480p"
    assert domain.cap_for("premium", anonymous=False, privileged=False, requested="360p") == "360p"
    rungs = domain.ladder(1920, 1080, "standard")
    assert [r.name for r in domain.allowed_rungs(rungs, "720p")] == ["240p", "360p", "480p", "720p"]


def test_probe_parsing_and_refusals() -> None:
    found = domain.parse_probe(PROBE)
    assert found is not None
    assert found.container == "mp4"
    assert found.duration_seconds == pytest.approx(62.5)
    assert found.video == domain.VideoStream("h264", 1920, 1080, 23.98, 1_761_000)
    assert found.audio[0].language_code == "eng"
    assert found.audio[0].channels == 2
    assert domain.Probe.from_dict(found.as_dict()) == found
    assert domain.refusal(found, "") == ""
    assert "no video stream" in domain.refusal(domain.Probe("mp4", 3, 0, None), "")
    assert "does not decode" in domain.refusal(found, "[h264] corrupt frame\n")
    assert domain.parse_probe("Error opening input file x.") is None
    assert "no media" in domain.refusal(None, "Invalid data found when processing input")


def test_progress_blocks() -> None:
    block = ["frame=10", "out_time_us=1500000", "speed=2.5x", "progress=continue"]
    found = domain.parse_progress_block(block)
    assert (found.out_time_seconds, found.speed, found.done) == (1.5, 2.5, False)
    assert domain.parse_progress_block(["out_time_us=N/A", "progress=end"]).done
    assert domain.percent_of(1.5, 3.0) == 50
    assert domain.percent_of(9, 3.0) == 100


def test_encode_command_has_the_hls_contract() -> None:
    rung = domain.ladder(1920, 1080, "standard")[-1]
    command = domain.encode_command("ffmpeg", "in.mp4", "/out", rung, has_audio=True)
    joined = " ".join(command)
    assert "-hls_time 6" in joined
    assert "-hls_playlist_type vod" in joined
    assert "expr:gte(t,n_forced*2)" in joined
    assert "-sc_threshold 0" in joined
    assert "-c:v libx264" in joined
    assert "-profile:v high" in joined
    assert "-c:a aac" in joined
    assert "scale=1920:1080" in joined
    assert "-progress pipe:1" in joined


def test_master_playlist_attributes() -> None:
    rungs = domain.ladder(1280, 720, "standard")
    text = domain.master_playlist([(r, f"{r.name}.m3u8", r.bitrate_bps, r.peak_bitrate_bps) for r in rungs], has_audio=True)
    assert text.startswith("#EXTM3U\n")
    assert 'BANDWIDTH=3750000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2"' in text
    assert text.count("#EXT-X-STREAM-INF") == 4
    signed = domain.rewrite_media_playlist("#EXTM3U\n#EXTINF:6.0,\nseg_00000.ts\n#EXT-X-ENDLIST", lambda s: "https://x/" + s)
    assert "https://x/seg_00000.ts" in signed
    assert domain.measured_bitrates([750_000, 375_000], [6.0, 6.0]) == (750_000, 1_000_000)


def test_srt_becomes_webvtt_and_errors_name_the_line() -> None:
    srt = b"1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nWorld\r\n"
    vtt, cues = domain.to_webvtt(srt, "application/x-subrip")
    assert cues == 2
    assert vtt.startswith("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n")
    with pytest.raises(InvalidArgument) as bad:
        domain.to_webvtt(b"1\n00:00:01 --> nope\nHi\n", "application/x-subrip")
    assert bad.value.reason == "TEXT_TRACK_INVALID"
    assert bad.value.violations[0].description.startswith("line 2")
    good, count = domain.to_webvtt(b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "text/vtt")
    assert count == 1
    assert good.endswith("Hi\n")
    with pytest.raises(InvalidArgument) as header:
        domain.to_webvtt(b"00:01.000 --> 00:02.000\nHi\n", "text/vtt")
    assert header.value.reason == "TEXT_TRACK_INVALID"
    with pytest.raises(InvalidArgument) as kind:
        domain.to_webvtt(b"x", "text/plain")
    assert kind.value.reason == "UNSUPPORTED_MEDIA_TYPE"


def test_storyboard_vtt_points_at_sprite_regions() -> None:
    vtt = domain.storyboard_vtt(25.0, 10.0, 240, 135, 3, 1, "sprite-0.jpg")
    assert "00:00:20.000 --> 00:00:25.000\nsprite-0.jpg#xywh=480,0,240,135" in vtt


def test_image_headers() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + (1280).to_bytes(4, "big") + (720).to_bytes(4, "big") + b"\0" * 8
    assert domain.image_size(png) == (1280, 720, "png")
    assert domain.check_image(png, "image/png") == (1280, 720)
    with pytest.raises(InvalidArgument):
        domain.check_image(png, "image/jpeg")
    small = png[:16] + (320).to_bytes(4, "big") + (180).to_bytes(4, "big") + b"\0" * 8
    with pytest.raises(InvalidArgument):
        domain.check_image(small, "image/png")


def test_update_masks() -> None:
    assert domain.check_update_mask(["*"], is_admin=False) == ["display_name", "labels"]
    with pytest.raises(InvalidArgument):
        domain.check_update_mask(["state"], is_admin=True)


def test_the_segment_gate_signature_binds_session_rung_segment_and_expiry() -> None:
    key = b"k" * 32
    mac = domain.segment_mac(key, "s1", "480p", "seg_00001.ts", 1_900_000_000)
    assert len(mac) == 32
    assert domain.segment_mac_ok(key, "s1", "480p", "seg_00001.ts", 1_900_000_000, mac)
    for changed in (
        ("s2", "480p", "seg_00001.ts", 1_900_000_000),
        ("s1", "720p", "seg_00001.ts", 1_900_000_000),
        ("s1", "480p", "seg_00002.ts", 1_900_000_000),
        ("s1", "480p", "seg_00001.ts", 1_900_000_001),
    ):
        assert not domain.segment_mac_ok(key, *changed, mac)
    assert not domain.segment_mac_ok(b"x" * 32, "s1", "480p", "seg_00001.ts", 1_900_000_000, mac)
    assert domain.SEGMENT_NAME.match("seg_00001.ts")
    assert not domain.SEGMENT_NAME.match("../index.m3u8")
