namespace OpsAssistant.EvalGenerator;

/// <summary>
/// A randomized scenario family: one kind of fault (or a healthy shape) built <see cref="Variants"/> times, each variant with
/// its own seeded draws (counts, depths, fan-out, jitter, naming scheme, instrumentation style) and wire format.
/// <see cref="Build"/> gets the variant's <see cref="Shape"/> and index and returns the label, or null for a healthy trace.
/// </summary>
internal sealed record Family(string Name, string Models, int Variants, Func<Shape, int, RootCauseLabel?> Build);
