using Microsoft.Extensions.Options;

namespace OpsAssistant.Infrastructure.Llm;

/// <summary>
/// The <see cref="LlmOptions"/> range attributes, checked by generated code rather than by reflection over the
/// attributes (ValidateDataAnnotations), which the ahead-of-time compiled CLI cannot do.
/// </summary>
[OptionsValidator]
internal sealed partial class LlmOptionsRangeValidator : IValidateOptions<LlmOptions>;
