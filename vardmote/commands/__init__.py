"""One module per `vardmote` command group; each stays thin and calls into infra/, provisioning/ or policies/."""
