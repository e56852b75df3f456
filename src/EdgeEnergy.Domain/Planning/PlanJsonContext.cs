using System.Text.Json.Serialization;

namespace EdgeEnergy.Domain.Planning;

/// <summary>Compile-time JSON metadata for the contract's problems and plans (<see cref="PlanJson"/>'s resolver).</summary>
[JsonSerializable(typeof(PlanProblem))]
[JsonSerializable(typeof(Plan))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
