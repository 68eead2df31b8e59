// Each test starts its own host and SMTP server; on two cores a few at a time is the sweet spot.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
