"""``agentbot demo``: the real bot against the sandbox, playing the seller's story scene by
scene."""
