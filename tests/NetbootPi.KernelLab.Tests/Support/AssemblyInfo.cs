// One VM at a time: the machine has two cores, and a VM under software emulation wants both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
