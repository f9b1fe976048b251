"""Watching outcomes: what happened to every message (:mod:`.tracker`), the dead-letter
queues (:mod:`.dead_letter_watcher`), the ``eventpipe dev`` console (:mod:`.console`) and
the demo's checks of each sample event's expected outcome (:mod:`.demo_checks`)."""
