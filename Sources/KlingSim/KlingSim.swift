public enum KlingSimModule {}
