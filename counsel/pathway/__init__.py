"""The stage pathway: each client's guide stages in order with their work in each, where
the client is (``stages.current_stage``), and the stages a counselor has locked."""
