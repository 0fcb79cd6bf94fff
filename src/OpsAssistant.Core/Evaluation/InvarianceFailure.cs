namespace OpsAssistant.Core.Evaluation;

/// <summary>
/// One case whose rank-1 verdict a metamorphic transformation changed: what the engine answered on the case as written and
/// on the transformed copy (<c>service / operation</c>, or <c>healthy</c>/<c>false alarm</c> for a healthy case), or why
/// the transformed copy could not be analysed.
/// </summary>
public sealed record InvarianceFailure(string Transformation, string Case, string Before, string After);
