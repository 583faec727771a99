"""A local package of this repository, beside the handler in the zip: the example's runtime dependency."""


class NoteStore:
    """Notes in memory: enough for an example (a real backend would use DynamoDB)."""

    def __init__(self):
        self._notes = {}

    def all(self):
        return list(self._notes.values())

    def add(self, content):
        note = {"id": "note-%d" % (len(self._notes) + 1), "content": content}
        self._notes[note["id"]] = note
        return note

    def put(self, note_id, content):
        self._notes[note_id] = {"id": note_id, "content": content}
        return self._notes[note_id]

    def get(self, note_id):
        if note_id == "error":
            raise RuntimeError("the note store is unavailable")
        return self._notes.get(note_id, {"id": note_id, "content": "Note %s" % note_id})
