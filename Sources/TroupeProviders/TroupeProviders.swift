public enum TroupeProvidersModule {}
