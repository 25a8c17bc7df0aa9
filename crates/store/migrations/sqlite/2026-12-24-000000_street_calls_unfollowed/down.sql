-- Nothing to undo: which follows were stopped is not kept.
SELECT 1;
