namespace NetbootPi.Agent.Site;

public enum ProfileKind { Alpine, Kernel, Local, Menu }
