"""Policy-as-code: requirements traced to the routine and Swedish law, the checks that enforce them,
and the runners (offline `vardmote policy check` and a Pulumi CrossGuard pack) that apply them."""
