// Every test starts its own worker processes next to RabbitMQ and PostgreSQL; on two cores two at a time is plenty.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
