using System.Diagnostics.Tracing;
using System.Globalization;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// Where a run's allocations go, by type and heap (small or large object), from the runtime's allocation-tick events
/// (one per ~100 KB allocated). The sample is statistical: a type that allocates less than 100 KB may not show at all.
/// It tells which allocations feed the large-object heap, whose garbage brings on gen2 collections.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<(string Type, string Heap), long> _bytes = [];
    private bool _on;

    public static void Print(Action run)
    {
        using var sampler = new AllocationSampler();
        run(); // lets the listener attach before the measured run
        lock (sampler._bytes)
        {
            sampler._bytes.Clear();
            sampler._on = true;
        }

        run();
        lock (sampler._bytes)
        {
            sampler._on = false;
            Console.WriteLine("| type | heap | sampled MB |");
            Console.WriteLine("|---|---|---:|");
            foreach (var ((type, heap), bytes) in sampler._bytes.OrderByDescending(p => p.Value).Take(25))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {type} | {heap} | {bytes / 1048576.0:0.0} |"));
            }

            foreach (var heap in sampler._bytes.GroupBy(p => p.Key.Heap))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{heap.Key}: {heap.Sum(p => p.Value) / 1048576.0:0.0} MB"));
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "GCAllocationTick_V4" || e.Payload is null)
        {
            return;
        }

        var kind = Convert.ToInt32(e.Payload[e.PayloadNames!.IndexOf("AllocationKind")], CultureInfo.InvariantCulture);
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")], CultureInfo.InvariantCulture);
        var type = e.Payload[e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
        var heap = kind switch { 1 => "large", 2 => "pinned", _ => "small" };
        lock (_bytes)
        {
            if (_on)
            {
                _bytes[(type, heap)] = _bytes.GetValueOrDefault((type, heap)) + amount;
            }
        }
    }
}
