#pragma once
// A QOpenGLWidget that shows a VTK scene: the bridge the 3-D views (loss-landscape surfaces)
// build on. VTK 9.1 on Debian ships its Qt module for Qt 5, so this does what VTK's own adapter
// does: VTK renders with the widget's OpenGL context into its own framebuffer, which paintGL
// then blits into the widget's. Left drag rotates, middle drag (or Shift+left) pans, right drag
// and the wheel zoom (vtkInteractorStyleTrackballCamera). VTK needs a real X server (Xvfb when
// headless); there is no offscreen Qt platform path.
//
// GUI thread only, like every VTK object it owns. The view owns its render window, renderer and
// interactor; renderer() returns a pointer the view keeps owning (add props to it, do not delete
// it). grabImage() returns a copy.

#include <QImage>
#include <QOpenGLWidget>
#include <memory>

class vtkRenderer;

namespace ps {

class VtkView : public QOpenGLWidget {
    Q_OBJECT

public:
    explicit VtkView(QWidget* parent = nullptr);
    ~VtkView() override;

    // The scene's renderer (background, camera, props). Owned by the view.
    vtkRenderer* renderer() const;
    // Asks for a redraw at the next paint; several requests before it make one render.
    void requestRender();
    // Renders the current scene and returns it (device pixels, so size() * devicePixelRatio()).
    QImage grabImage();

Q_SIGNALS:
    // A left click that did not drag (the press and release within a few pixels): picking.
    // `pos` is in the widget's coordinates.
    void clicked(QPoint pos);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;

    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;

private:
    struct Impl;
    void releaseGraphics();
    void syncSize();

    std::unique_ptr<Impl> m_impl;
    QPoint m_pressPos{-1000, -1000};
};

} // namespace ps
