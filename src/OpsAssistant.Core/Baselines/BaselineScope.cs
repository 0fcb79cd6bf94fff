namespace OpsAssistant.Core.Baselines;

/// <summary>
/// Baselines given for the analyses of one logical call flow, in place of the configured provider's: how the eval hands
/// each case its own <c>baseline.json</c> through engines it does not construct (the LLM engine wraps the heuristic one).
/// Flows with async calls like <see cref="System.Diagnostics.Activity.Current"/>; cases analysed in parallel each see their own.
/// </summary>
public static class BaselineScope
{
    private static readonly AsyncLocal<BaselineSet?> Ambient = new();

    /// <summary>The baselines set for this flow, or null when none were.</summary>
    public static BaselineSet? Current => Ambient.Value;

    /// <summary>Sets <paramref name="baselines"/> until the returned scope is disposed (null: explicitly none).</summary>
    public static IDisposable Use(BaselineSet? baselines)
    {
        var previous = Ambient.Value;
        Ambient.Value = baselines ?? BaselineSet.Empty;
        return new Restore(previous);
    }

    private sealed class Restore(BaselineSet? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
