// Every test builds its own bus (and, for the sender, its own SMTP server and database). On two cores a few at a time
// keeps the run short without starving the timing-sensitive saga specs.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
