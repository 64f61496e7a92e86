"""Evaluation of operations ("did it work?"): flows from the crime store and ledger to results."""
