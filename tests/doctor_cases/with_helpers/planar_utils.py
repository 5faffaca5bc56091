import numpy as np


def plot_decision_boundary(model, X, y):
    import matplotlib.pyplot as plt
    # Set min and max values and give it some padding
    x_min, x_max = X[0, :].min() - 1, X[0, :].max() + 1
    y_min, y_max = X[1, :].min() - 1, X[1, :].max() + 1
    h = 0.05
    # Generate a grid of points with distance h between them
    xx, yy = np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))
    # Predict the function value for the whole grid
    Z = model(np.c_[xx.ravel(), yy.ravel()])
    Z = np.asarray(Z, dtype=float).reshape(xx.shape)
    # Plot the contour and training examples
    plt.contourf(xx, yy, Z, cmap=plt.cm.Spectral)
    plt.ylabel('x2')
    plt.xlabel('x1')
    plt.scatter(X[0, :], X[1, :], c=np.ravel(y), cmap=plt.cm.Spectral)


def sigmoid(x):
    """
    Compute the sigmoid of x

    Arguments:
    x -- A scalar or numpy array of any size.

    Return:
    s -- sigmoid(x)
    """
    s = 1/(1+np.exp(-x))
    return s


def load_planar_dataset():
    np.random.seed(1)
    m = 400 # number of examples
    N = int(m/2) # number of points per class
    D = 2 # dimensionality
    X = np.zeros((m,D)) # data matrix where each row is a single example
    Y = np.zeros((m,1), dtype='uint8') # labels vector (0 for red, 1 for blue)
    a = 4 # maximum ray of the flower

    for j in range(2):
        ix = range(N*j,N*(j+1))
        t = np.linspace(j*3.12,(j+1)*3.12,N) + np.random.randn(N)*0.2 # theta
        r = a*np.sin(4*t) + np.random.randn(N)*0.2 # radius
        X[ix] = np.c_[r*np.sin(t), r*np.cos(t)]
        Y[ix] = j

    X = X.T
    Y = Y.T

    return X, Y


def load_extra_datasets():
    # The course builds these with sklearn.datasets; small NumPy stand-ins with the same shapes (rows are
    # examples, as the course's loaders return them).
    N = 200
    rng = np.random.RandomState(3)
    t = rng.rand(N) * 2 * np.pi
    radius = np.where(rng.rand(N) < 0.5, 0.5, 1.0)
    noisy_circles = (np.c_[radius * np.cos(t), radius * np.sin(t)] + rng.randn(N, 2) * 0.05,
                     (radius < 0.75).astype(int))
    s = rng.rand(N) * np.pi
    upper = rng.rand(N) < 0.5
    noisy_moons = (np.where(upper[:, None], np.c_[np.cos(s), np.sin(s)], np.c_[1 - np.cos(s), 0.5 - np.sin(s)])
                   + rng.randn(N, 2) * 0.2, (~upper).astype(int))
    centers = rng.randn(6, 2) * 2
    labels = rng.randint(0, 6, N)
    blobs = (centers[labels] + rng.randn(N, 2) * 0.5, labels % 2)
    gaussian_quantiles = (rng.randn(N, 2), (rng.rand(N) < 0.5).astype(int))
    no_structure = rng.rand(N, 2), rng.rand(N, 2)
    return noisy_circles, noisy_moons, blobs, gaussian_quantiles, no_structure
