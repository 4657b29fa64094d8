"""The audit trail: one immutable entry per mutation, written in the mutation's transaction (F83)."""
