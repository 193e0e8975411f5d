print("troupe-sim")
