public enum TroupeMedia {}
