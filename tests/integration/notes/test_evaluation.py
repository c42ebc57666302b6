"""Key-term recall of generated notes on the evaluation set, with the stand-in provider over the
wire (the figure the benchmark prints next to the embedded model's)."""

from __future__ import annotations

import pytest
from google.protobuf import json_format
from marquee.longrunning.v1 import operation_pb2 as lro
from marquee.notes.v1 import notes_pb2 as pb

from services.notes.domain import key_term_recall
from tests.integration.notes.conftest import Caller, grant, note_of, transcript_source, wait_done
from tests.integration.notes.eval_set import CASES

pytestmark = pytest.mark.usefixtures("worker")


async def test_key_term_recall_with_the_standin_provider(notes, billing, service, alice: Caller) -> None:
    await grant(billing, service, alice, len(CASES))
    recalls = {}
    for case in CASES:
        reply = await notes.GenerateNotes(
            pb.GenerateNotesRequest(
                parent="users/me",
                source=transcript_source(case.srt(), title=case.title),
                options=pb.NoteOptions(include_quiz=False, link_notes=False),
            ),
            metadata=alice.auth,
        )
        done = await wait_done(notes, alice, reply.operation.name)
        assert done.state == lro.OPERATION_STATE_SUCCEEDED, done.error
        note = note_of(done)
        recalls[case.name] = key_term_recall(note.markdown + " " + json_format.MessageToJson(note), case.terms)
    # The stand-in picks frequent content words: it finds most single-word terms and misses some phrases.
    assert all(r >= 0.5 for r in recalls.values()), recalls
    assert sum(recalls.values()) / len(recalls) >= 0.6, recalls
