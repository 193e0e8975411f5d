public enum TroupeNetModule {}
