"""The benchmarks' floor: one insert into a one-table model behind the same middleware,
authentication and permission as the API, so desk_bench can say how much of a ticket's
cost is the request itself. Installed only by `bench.settings`, never in the product."""
