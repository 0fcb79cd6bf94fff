using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Baselines;

/// <summary>
/// The baselines an analysis was given, looked up by service, operation and span kind. Names compare case-insensitively
/// (Zipkin lower-cases span names). A span whose kind was lost on the way (Zipkin has no internal kind, some exporters drop
/// kinds) matches the operation's baseline of any kind, the one with the most calls.
/// </summary>
public sealed class BaselineSet
{
    /// <summary>No baselines: the analysis is exactly what it is without history.</summary>
    public static BaselineSet Empty { get; } = new([], "none");

    private readonly Dictionary<(string, string, SpanKind), OperationBaseline> _exact = new(KeyComparer.Instance);
    private readonly Dictionary<(string, string), OperationBaseline> _anyKind = new(NameComparer.Instance);
    private readonly HashSet<string> _services = new(StringComparer.OrdinalIgnoreCase);

    public BaselineSet(IEnumerable<OperationBaseline> operations, string source)
    {
        ArgumentNullException.ThrowIfNull(operations);
        Source = source;
        var list = new List<OperationBaseline>();
        foreach (var b in operations)
        {
            list.Add(b);
            _exact[(b.Service, b.Operation, b.Kind)] = b;
            if (!_anyKind.TryGetValue((b.Service, b.Operation), out var other) || other.Count < b.Count)
            {
                _anyKind[(b.Service, b.Operation)] = b;
            }

            _services.Add(b.Service);
        }

        Operations = list;
    }

    /// <summary>Where the figures came from: <c>store</c>, <c>prometheus</c>, <c>tempo</c>, <c>case</c> (an eval case) or <c>none</c>.</summary>
    public string Source { get; }

    public IReadOnlyList<OperationBaseline> Operations { get; }

    public bool IsEmpty => Operations.Count == 0;

    /// <summary>The baseline of an operation, or null when there is none.</summary>
    public OperationBaseline? Find(string service, string operation, SpanKind kind)
    {
        if (_exact.TryGetValue((service, operation, kind), out var exact))
        {
            return exact;
        }

        // Only a span without a real kind falls back: a server span must not borrow its client side's figures.
        return kind is SpanKind.Unspecified or SpanKind.Internal && _anyKind.TryGetValue((service, operation), out var any) ? any : null;
    }

    /// <summary>Whether any operation of the service has a baseline: only then is an operation without one new.</summary>
    public bool KnowsService(string service) => _services.Contains(service);

    /// <summary>The same baselines under other names (the eval's renaming check maps the case's baseline with its trace).</summary>
    public BaselineSet Renamed(Func<string, string> service, Func<string, string> operation)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(operation);
        return new BaselineSet(Operations.Select(b => b with { Service = service(b.Service), Operation = operation(b.Operation) }), Source);
    }

    private sealed class KeyComparer : IEqualityComparer<(string Service, string Operation, SpanKind Kind)>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals((string Service, string Operation, SpanKind Kind) x, (string Service, string Operation, SpanKind Kind) y) =>
            x.Kind == y.Kind && StringComparer.OrdinalIgnoreCase.Equals(x.Service, y.Service) && StringComparer.OrdinalIgnoreCase.Equals(x.Operation, y.Operation);

        public int GetHashCode((string Service, string Operation, SpanKind Kind) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Service), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Operation), obj.Kind);
    }

    private sealed class NameComparer : IEqualityComparer<(string Service, string Operation)>
    {
        public static readonly NameComparer Instance = new();

        public bool Equals((string Service, string Operation) x, (string Service, string Operation) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Service, y.Service) && StringComparer.OrdinalIgnoreCase.Equals(x.Operation, y.Operation);

        public int GetHashCode((string Service, string Operation) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Service), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Operation));
    }
}
