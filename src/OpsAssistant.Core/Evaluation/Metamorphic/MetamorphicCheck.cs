namespace OpsAssistant.Core.Evaluation.Metamorphic;

/// <summary>The outcome of one case under one transformation.</summary>
public sealed record MetamorphicCheck(string Transformation, string Case, string Before, string After)
{
    public bool Unchanged => string.Equals(Before, After, StringComparison.OrdinalIgnoreCase);
}
