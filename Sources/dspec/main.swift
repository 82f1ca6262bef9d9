print("dspec")
