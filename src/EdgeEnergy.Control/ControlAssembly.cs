namespace EdgeEnergy.Control;

/// <summary>Marker for the control assembly (used by the architecture test until the control loop lands).</summary>
public static class ControlAssembly;
