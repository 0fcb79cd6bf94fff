using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>
/// A change to a trace that must not change what a root-cause engine ranks first: the same fault, told differently.
/// <see cref="Apply"/> is deterministic for a given seed.
/// </summary>
public sealed class MetamorphicTransformation(string name, string description, Func<Trace, Random, TransformedTrace> apply)
{
    /// <summary>Short, stable name: the key of the report's <c>invariance</c> object.</summary>
    public string Name { get; } = name;

    public string Description { get; } = description;

    public TransformedTrace Apply(Trace trace, int seed)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return apply(trace, new Random(seed));
    }

    public override string ToString() => Name;
}
