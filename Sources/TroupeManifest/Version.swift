public enum TroupeManifestVersion { public static let format = 1 }
