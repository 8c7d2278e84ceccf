"""The office rules as pure functions over plain records: no files, no Excel, no clock."""
